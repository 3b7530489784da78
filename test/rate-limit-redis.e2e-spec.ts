import { randomBytes } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitModule, RateLimitRegistry, RedisStore } from '@sluice/rate-limit';
import type { ZmqClient } from '@sluice/zeromq';
import { ipcEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { countOutcomes, outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What the event handler saw, in order. */
const received: number[] = [];

@Controller()
class QuotaController {
  @MessagePattern('quota')
  quota(@Payload() n: number): number {
    return n;
  }

  @EventPattern('ordered')
  ordered(@Payload() n: number): void {
    received.push(n);
  }
}

describe('shared budgets: two ZmqServers on one RedisStore budget', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  let admin: Redis;
  let prefix: string;

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
    const left = await admin.keys(`${prefix}*`);
    if (left.length > 0) await admin.unlink(...left);
  });

  /** One "replica": its own ZmqServer, Nest app, RedisStore and Redis connection. */
  async function replica(): Promise<{
    running: RunningServer;
    client: ZmqClient;
    store: RedisStore;
  }> {
    const store = new RedisStore({ url: REDIS_URL }, { prefix });
    cleanup.push(() => store.close());
    const endpoint = ipcEndpoint('rl-redis');
    const running = await startServer(
      { router: { bind: endpoint } },
      [QuotaController],
      [RateLimitModule.forRoot({ patterns: { quota: { limit: 10, per: '1m' } }, store })],
    );
    cleanup.push(() => running.app.close());
    const client = await startClient({ dealer: { connect: endpoint } });
    cleanup.push(() => client.close());
    return { running, client, store };
  }

  it('decides many messages at once and still dispatches them in arrival order', async () => {
    prefix = `sluice:e2e:${randomBytes(6).toString('hex')}:`;
    const store = new RedisStore({ url: REDIS_URL }, { prefix });
    cleanup.push(() => store.close());
    const pull = ipcEndpoint('rl-redis-pull');
    const running = await startServer(
      { pull: { bind: pull } },
      [QuotaController],
      [
        RateLimitModule.forRoot({
          sockets: { pull: { limit: 150, per: '1m', action: 'drop' } },
          store,
        }),
      ],
    );
    cleanup.push(() => running.app.close());
    const client = await startClient({ push: { connect: pull } });
    cleanup.push(() => client.close());
    received.length = 0;
    for (let i = 0; i < 400; i++) {
      await firstValueFrom(client.emit('ordered', i), { defaultValue: undefined });
    }
    const stats = running.server.stats.sockets.pull;
    await waitFor(
      () => stats.received === 400 && stats.handled + stats.limited.drop === 400,
      'all decided',
    );
    // The budget holds exactly, and the admitted events ran in the order they were sent.
    expect(stats.handled).toBe(150);
    expect(stats.peakPendingDecisions).toBeGreaterThan(1);
    expect(received).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });

  it('clients hitting both servers get 10 successes in total, not 20', async () => {
    prefix = `sluice:e2e:${randomBytes(6).toString('hex')}:`;
    const a = await replica();
    const b = await replica();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome((i % 2 === 0 ? a : b).client.send('quota', i))),
    );
    expect(countOutcomes(outcomes)).toEqual({ ok: 10, limited: 20, other: 0 });
    const admitted = [a, b].map(
      ({ running }) =>
        running.app
          .get(RateLimitRegistry)
          .list()
          .find((r) => r.pattern === 'quota')!.admitted,
    );
    expect(admitted[0] + admitted[1]).toBe(10);
    expect(a.running.server.stats.sockets.router.handled).toBe(admitted[0]);
    expect(b.running.server.stats.sockets.router.handled).toBe(admitted[1]);
    // One key in Redis for both: the rule ids match (router|quota|default).
    expect(await admin.keys(`${prefix}*`)).toEqual([`${prefix}router|quota|default|quota`]);
    expect(a.store.failOpen + b.store.failOpen).toBe(0);
  });

  it('closing one replica leaves the shared budget spent for the other (no reset on shutdown)', async () => {
    prefix = `sluice:e2e:${randomBytes(6).toString('hex')}:`;
    const a = await replica();
    const b = await replica();
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome(a.client.send('quota', i))),
    );
    expect(countOutcomes(first)).toEqual({ ok: 10, limited: 0, other: 0 });
    await a.client.close();
    await a.running.app.close();
    const second = await Promise.all(
      Array.from({ length: 5 }, (_, i) => outcome(b.client.send('quota', i))),
    );
    expect(countOutcomes(second)).toEqual({ ok: 0, limited: 5, other: 0 });
    const limited = second.find((o) => 'code' in o) as { retryAfterMs: number };
    // 10 per minute: the next slot opens ~6 s later.
    expect(limited.retryAfterMs).toBeGreaterThan(5_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(6_000);
  });
});
