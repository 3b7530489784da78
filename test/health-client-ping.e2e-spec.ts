import { HealthIndicatorService, MicroserviceHealthIndicator } from '@nestjs/terminus';
import { afterEach, describe, expect, it } from 'vitest';
import { ZmqClientHealthIndicator, ZmqHealthModule } from '@sluice/health';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient } from '@sluice/zeromq';
import { LimitedController } from './fixtures/limited.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { outcome } from './support/rate-limited.js';

/** The client-side probe: a real request and reply over ZeroMQ, within a timeout. */
describe('ZmqClientHealthIndicator.pingCheck', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });
  // The real terminus service, outside Nest: the indicator needs nothing else.
  const ping = new ZmqClientHealthIndicator(new HealthIndicatorService());

  async function serve(router: string): Promise<RunningServer> {
    const running = await startServer(
      { router: { bind: router } },
      [LimitedController],
      [RateLimitModule.forRoot({}), ZmqHealthModule.forRoot({ metrics: false })],
    );
    cleanup.push(() => running.app.close());
    return running;
  }
  async function client(router: string): Promise<ZmqClient> {
    const c = await startClient({ dealer: { connect: router } });
    cleanup.push(() => c.close());
    return c;
  }

  it('up on a value reply', async () => {
    const router = ipcEndpoint('ping');
    await serve(router);
    const result = await ping.pingCheck('svc', await client(router), { pattern: 'free', data: 7 });
    expect(result.svc).toMatchObject({ status: 'up', pattern: 'free', reply: 'value' });
    expect(result.svc.responseTimeMs).toBeLessThan(1_000);
  });

  it('up on an error reply: the default pattern has no handler, and the server said so', async () => {
    const router = ipcEndpoint('ping');
    const running = await serve(router);
    // Resolved through the module, as an app would inject it.
    const indicator = running.app.get(ZmqClientHealthIndicator);
    const result = await indicator.pingCheck('svc', await client(router));
    expect(result.svc).toMatchObject({
      status: 'up',
      pattern: 'sluice.health.ping',
      reply: expect.stringMatching(/^error: There is no matching message handler/),
    });
  });

  it('up on RATE_LIMITED: a server protecting itself is alive and answering', async () => {
    const router = ipcEndpoint('ping');
    await serve(router);
    const c = await client(router);
    await Promise.all(Array.from({ length: 5 }, (_, i) => outcome(c.send('quota', i))));
    const result = await ping.pingCheck('svc', c, { pattern: 'quota' });
    expect(result.svc).toMatchObject({ status: 'up', reply: 'error: RATE_LIMITED' });
  });

  it('down within the timeout when no server runs', async () => {
    const c = await client(ipcEndpoint('nobody'));
    const started = performance.now();
    const result = await ping.pingCheck('svc', c, { timeout: 300 });
    const elapsed = performance.now() - started;
    expect(result.svc).toMatchObject({ status: 'down', message: 'no reply within 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(800);
    // Nothing was left pending on the client.
    expect(c.inFlight).toBe(0);
  });

  it('down once the server stops, within the timeout', async () => {
    const router = ipcEndpoint('ping');
    const running = await serve(router);
    const c = await client(router);
    expect((await ping.pingCheck('svc', c, { pattern: 'free' })).svc.status).toBe('up');
    await running.app.close();
    const started = performance.now();
    const result = await ping.pingCheck('svc', c, { pattern: 'free', timeout: 500 });
    expect(result.svc.status).toBe('down');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('down when the client cannot send at all (no dealer socket)', async () => {
    const c = await startClient({ push: { connect: ipcEndpoint('push-only') } });
    cleanup.push(() => c.close());
    const result = await ping.pingCheck('svc', c);
    expect(result.svc).toMatchObject({ status: 'down', code: 'NO_SOCKET' });
  });

  it("why not terminus's MicroserviceHealthIndicator: it passes with no server at all", async () => {
    // It only runs connect() then close(); a ZeroMQ connect returns before any peer exists.
    const terminus = new MicroserviceHealthIndicator(new HealthIndicatorService());
    const result = await terminus.pingCheck('svc', {
      customClass: ZmqClient,
      options: { dealer: { connect: ipcEndpoint('nobody') } },
    } as never);
    expect(result.svc.status).toBe('up');
    const c = await client(ipcEndpoint('nobody'));
    expect((await ping.pingCheck('svc', c, { timeout: 200 })).svc.status).toBe('down');
  });
});
