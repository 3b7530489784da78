import { Controller, Get, Inject, type INestApplication } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ZmqClientHealthIndicator, ZmqHealthIndicator, ZmqHealthModule } from '@sluice/health';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import { LimitedController } from './fixtures/limited.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { startClient } from './support/nest.js';
import { outcome } from './support/rate-limited.js';

const PROBE = 'ZMQ_PROBE';

/** The /health endpoint as an app writes it: terminus + both ZeroMQ indicators. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly zmq: ZmqHealthIndicator,
    private readonly zmqPing: ZmqClientHealthIndicator,
    @Inject(PROBE) private readonly probe: ZmqClient,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.zmq.isHealthy('zmq'),
      () => this.zmqPing.pingCheck('zmq-ping', this.probe, { timeout: 500 }),
    ]);
  }
}

describe('GET /health (terminus HealthCheckService, hybrid HTTP + ZeroMQ app)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function start(): Promise<{ app: INestApplication; server: ZmqServer; router: string }> {
    const router = ipcEndpoint('http-health');
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule,
        RateLimitModule.forRoot({}),
        ZmqHealthModule.forRoot({ metrics: false }),
        ClientsModule.register([
          { name: PROBE, customClass: ZmqClient, options: { dealer: { connect: router } } },
        ]),
      ],
      controllers: [HealthController, LimitedController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const server = new ZmqServer({ router: { bind: router } });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    // init first: RateLimitModule hands its registry to the server during init, and a server
    // that listens before that runs without limits.
    await app.init();
    await app.startAllMicroservices();
    cleanup.push(() => app.close());
    return { app, server, router };
  }

  it('200 ok with the details while serving', async () => {
    const { app } = await start();
    // The first check and the probe run together: the probe's connection shows on the next one.
    await request(app.getHttpServer()).get('/health').expect(200);
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: {
        zmq: { status: 'up', reasons: [], sockets: { router: { listening: true } } },
        'zmq-ping': { status: 'up', pattern: 'sluice.health.ping' },
      },
      error: {},
    });
    expect(res.body.details.zmq.sockets.router.connectedPeers).toBeGreaterThanOrEqual(1);
  });

  it('200 degraded under sustained throttling', async () => {
    const { app, router } = await start();
    const c = await startClient({ dealer: { connect: router } });
    cleanup.push(() => c.close());
    await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(c.send('quota', i))));
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.info.zmq.status).toBe('degraded');
    expect(res.body.info.zmq.reasons[0]).toMatch(/^router: 87\.5% of 40 messages limited/);
    expect(res.body.info.zmq.topLimitedPatterns[0]).toMatchObject({ pattern: 'quota' });
  });

  it('503 error once the ZeroMQ server is closed: both indicators down', async () => {
    const { app, server } = await start();
    await server.close();
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.zmq).toMatchObject({
      status: 'down',
      reasons: ['server is not listening'],
    });
    expect(res.body.error['zmq-ping'].status).toBe('down');
  });
});
