import {
  Controller,
  Get,
  type INestApplication,
  type INestMicroservice,
  Module,
  UseInterceptors,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import {
  type ClientProxy,
  ClientProxyFactory,
  EventPattern,
  MessagePattern,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { AddressInfo, Server } from 'node:net';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isRateLimitedError,
  RateLimit,
  RateLimitInterceptor,
  RateLimitModule,
  RateLimitRegistry,
  SkipRateLimit,
} from '@sluice/rate-limit';

const received: number[] = [];

@Controller()
@UseInterceptors(RateLimitInterceptor)
class MathController {
  @MessagePattern('sum')
  @RateLimit({ limit: 2, per: '10s' })
  sum(@Payload() data: number[]) {
    return data.reduce((a, b) => a + b, 0);
  }

  @MessagePattern('whoami')
  @RateLimit({ limit: 1, per: '10s', key: 'peer', name: 'per-peer' })
  whoami() {
    return 'you';
  }

  @MessagePattern('quiet')
  @RateLimit({ limit: 1, per: '10s', action: 'drop', name: 'quiet' })
  quiet() {
    return 'ok';
  }

  @MessagePattern('health')
  @SkipRateLimit()
  @RateLimit({ limit: 1, per: '10s' })
  health() {
    return 'up';
  }

  @EventPattern('tick')
  @RateLimit({ limit: 2, per: '10s', name: 'ticks' })
  tick(@Payload() n: number) {
    received.push(n);
  }
}

@Module({
  imports: [RateLimitModule.forRoot({ isGlobal: true })],
  controllers: [MathController],
})
class RpcAppModule {}

@Controller('items')
@RateLimit({ limit: 2, per: '10s', key: 'peer', name: 'per-ip' })
class ItemsController {
  @Get()
  list() {
    return [1, 2, 3];
  }

  @Get('open')
  @SkipRateLimit()
  open() {
    return 'open';
  }
}

@Module({
  imports: [RateLimitModule.forRoot({})],
  controllers: [ItemsController],
  providers: [{ provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }],
})
class HttpAppModule {}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('RateLimitInterceptor on a real Nest TCP microservice', () => {
  let app: INestMicroservice;
  let port: number;
  const clients: ClientProxy[] = [];
  const newClient = () => {
    const c = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RpcAppModule],
    }).compile();
    app = moduleRef.createNestMicroservice({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port: 0 },
    });
    app.useLogger(false);
    await app.listen();
    port = (app.unwrap<Server>().address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('rejects over the limit with RATE_LIMITED and retryAfterMs', async () => {
    const client = newClient();
    expect(await firstValueFrom(client.send('sum', [1, 2]))).toBe(3);
    expect(await firstValueFrom(client.send('sum', [3, 4]))).toBe(7);
    const err = await firstValueFrom(client.send('sum', [5, 6])).catch((e: unknown) => e);
    expect(isRateLimitedError(err)).toBe(true);
    expect(err).toMatchObject({
      status: 'error',
      code: 'RATE_LIMITED',
      rule: 'default',
    });
    const retryAfterMs = (err as { retryAfterMs: number }).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(4000);
    expect(retryAfterMs).toBeLessThanOrEqual(5000);
    expect((err as { message: string }).message).toBe(
      `Rate limit exceeded for rule "default": retry after ${retryAfterMs} ms`,
    );
  });

  it('keys peer rules by the client connection', async () => {
    const a = newClient();
    const b = newClient();
    expect(await firstValueFrom(a.send('whoami', {}))).toBe('you');
    const err = await firstValueFrom(a.send('whoami', {})).catch((e: unknown) => e);
    expect(isRateLimitedError(err)).toBe(true);
    expect(await firstValueFrom(b.send('whoami', {}))).toBe('you');
  });

  it('drop on a request handler completes without a value', async () => {
    const client = newClient();
    expect(await firstValueFrom(client.send('quiet', {}))).toBe('ok');
    const err = await firstValueFrom(client.send('quiet', {})).catch((e: unknown) => e);
    expect((err as Error).name).toBe('EmptyError');
  });

  it('@SkipRateLimit() exempts a handler', async () => {
    const client = newClient();
    for (let i = 0; i < 5; i++) expect(await firstValueFrom(client.send('health', {}))).toBe('up');
  });

  it('drops events over the limit and counts them', async () => {
    const client = newClient();
    await client.connect();
    for (let i = 0; i < 6; i++)
      await firstValueFrom(client.emit('tick', i), { defaultValue: undefined });
    const registry = app.get(RateLimitRegistry);
    const ticks = () => registry.list().find((r) => r.name === 'ticks');
    await waitFor(() => (ticks()?.admitted ?? 0) + (ticks()?.limited.drop ?? 0) === 6);
    expect(received).toHaveLength(2);
    expect(ticks()).toMatchObject({
      admitted: 2,
      limited: { drop: 4, pause: 0, reject: 0 },
      action: 'drop',
    });
    // The other handlers' rules are listed too, with their live counters.
    const sum = registry.list().find((r) => r.socket === 'rpc:MathController.sum');
    expect(sum).toMatchObject({
      pattern: 'sum',
      admitted: 2,
      limited: { reject: 1 },
    });
  });
});

describe('RateLimitInterceptor on a real HTTP app', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [HttpAppModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 429 with Retry-After and a RATE_LIMITED body', async () => {
    const server = app.getHttpServer();
    await request(server).get('/items').expect(200, [1, 2, 3]);
    await request(server).get('/items').expect(200);
    const res = await request(server).get('/items').expect(429);
    expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(res.body.retryAfterMs).toBeGreaterThan(4000);
    expect(res.body.retryAfterMs).toBeLessThanOrEqual(5000);
    expect(res.headers['retry-after']).toBe(String(Math.ceil(res.body.retryAfterMs / 1000)));
  });

  it('leaves skipped routes alone', async () => {
    for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/items/open').expect(200);
  });
});
