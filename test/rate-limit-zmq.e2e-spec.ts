import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitModule, RateLimitRegistry } from '@sluice/rate-limit';
import type { ZmqClient } from '@sluice/zeromq';
import { LimitedController, seen } from './fixtures/limited.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { countOutcomes, outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

describe('rate limits enforced by ZmqServer, before the body is parsed', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  let router: string;
  let pull: string;
  beforeEach(() => {
    router = ipcEndpoint('rl-router');
    pull = ipcEndpoint('rl-pull');
    seen.dropped.length = 0;
    seen.paused.length = 0;
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function start(
    moduleOptions: Parameters<typeof RateLimitModule.forRoot>[0] = {},
  ): Promise<RunningServer> {
    const running = await startServer(
      { router: { bind: router }, pull: { bind: pull } },
      [LimitedController],
      [RateLimitModule.forRoot(moduleOptions)],
    );
    cleanup.push(() => running.app.close());
    return running;
  }
  async function client(
    options: Partial<Parameters<typeof startClient>[0]> = {},
  ): Promise<ZmqClient> {
    const c = await startClient({
      dealer: { connect: router },
      push: { connect: pull },
      ...options,
    });
    cleanup.push(() => c.close());
    return c;
  }

  it('reject: over the limit, the client gets RATE_LIMITED with retryAfterMs; the handler never runs', async () => {
    const running = await start();
    const c = await client();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => outcome(c.send('quota', i))),
    );
    expect(countOutcomes(outcomes)).toEqual({ ok: 5, limited: 15, other: 0 });
    const limited = outcomes.find((o) => 'code' in o) as { retryAfterMs: number };
    // 5 per minute: the next slot opens 12 s after the bucket was emptied.
    expect(limited.retryAfterMs).toBeGreaterThan(11_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(12_000);
    const router_ = running.server.stats.sockets.router;
    expect(router_.limited.reject).toBe(15);
    expect(router_.handled).toBe(5);
    const rule = running.app
      .get(RateLimitRegistry)
      .list()
      .find((r) => r.name === 'quota')!;
    expect(rule).toMatchObject({ admitted: 5, limited: { drop: 0, pause: 0, reject: 15 } });
  });

  it('drop: events over the limit are counted and never reach the handler', async () => {
    const running = await start();
    const c = await client();
    for (let i = 0; i < 50; i++)
      await firstValueFrom(c.emit('drop.me', i), { defaultValue: undefined });
    const stats = running.server.stats.sockets.pull;
    await waitFor(() => stats.received === 50, '50 events received');
    await waitFor(() => seen.dropped.length === 10, '10 events handled');
    expect(seen.dropped).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stats.limited.drop).toBe(40);
  });

  it('drops before parsing: a limited message with a garbage body is not counted as malformed', async () => {
    const running = await start({ patterns: { free: { limit: 1, per: '1m', action: 'drop' } } });
    const { Dealer } = await import('zeromq');
    const raw = new Dealer();
    raw.connect(router);
    cleanup.push(async () => raw.close());
    const header = Buffer.from([1, 1]);
    await raw.send([header, 'a', 'free', '1']);
    await raw.send([header, 'b', 'free', '{not json']);
    const stats = running.server.stats.sockets.router;
    await waitFor(() => stats.received === 2, 'both messages');
    expect(stats.limited.drop).toBe(1);
    expect(stats.malformed.bad_body).toBe(0);
  });

  it('module config limits a pattern without touching handler code, and @SkipRateLimit exempts one', async () => {
    await start({ patterns: { free: { limit: 3, per: '1m' }, exempt: { limit: 1, per: '1m' } } });
    const c = await client();
    const free = await Promise.all(Array.from({ length: 6 }, (_, i) => outcome(c.send('free', i))));
    expect(countOutcomes(free)).toEqual({ ok: 3, limited: 3, other: 0 });
    const exempt = await Promise.all(
      Array.from({ length: 6 }, (_, i) => outcome(c.send('exempt', i))),
    );
    expect(countOutcomes(exempt)).toEqual({ ok: 6, limited: 0, other: 0 });
  });

  it('all or nothing: a message refused by its pattern rule does not spend the socket budget', async () => {
    const running = await start({
      sockets: { router: { limit: 10, per: '1m', name: 'router-budget' } },
    });
    const c = await client();
    const quota = await Promise.all(
      Array.from({ length: 12 }, (_, i) => outcome(c.send('quota', i))),
    );
    expect(countOutcomes(quota)).toEqual({ ok: 5, limited: 7, other: 0 });
    // Had the 7 refused messages been counted by the socket rule, nothing would be left for 'free'.
    const free = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(c.send('free', i))));
    expect(countOutcomes(free)).toEqual({ ok: 5, limited: 3, other: 0 });
    const budget = running.app
      .get(RateLimitRegistry)
      .list()
      .find((r) => r.name === 'router-budget')!;
    expect(budget.admitted).toBe(10);
  });

  it('per peer: each routing id has its own budget', async () => {
    await start({ peer: { limit: 4, per: '1m' } });
    const [a, b] = [await client(), await client()];
    const fromA = await Promise.all(
      Array.from({ length: 6 }, (_, i) => outcome(a.send('free', i))),
    );
    const fromB = await Promise.all(
      Array.from({ length: 6 }, (_, i) => outcome(b.send('free', i))),
    );
    expect(countOutcomes(fromA)).toEqual({ ok: 4, limited: 2, other: 0 });
    expect(countOutcomes(fromB)).toEqual({ ok: 4, limited: 2, other: 0 });
  });

  it('shadow: decisions are counted, never enforced', async () => {
    const running = await start({
      shadow: true,
      patterns: { free: { limit: 2, per: '1m', name: 'shadowed' } },
    });
    const c = await client();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome(c.send('free', i))),
    );
    expect(countOutcomes(outcomes)).toEqual({ ok: 10, limited: 0, other: 0 });
    const rule = running.app
      .get(RateLimitRegistry)
      .list()
      .find((r) => r.name === 'shadowed')!;
    expect(rule.shadowLimited).toBe(8);
    expect(running.server.stats.sockets.router.limited.reject).toBe(0);
  });

  it('a limit changed at runtime applies to the next message', async () => {
    const running = await start({ patterns: { free: { limit: 1, per: '1m', name: 'tunable' } } });
    const c = await client();
    expect(
      countOutcomes(await Promise.all([1, 2, 3].map((i) => outcome(c.send('free', i))))),
    ).toMatchObject({ ok: 1 });
    running.app.get(RateLimitRegistry).setLimit('tunable', 1_000, '1s');
    await new Promise((r) => setTimeout(r, 20));
    expect(
      countOutcomes(await Promise.all([1, 2, 3].map((i) => outcome(c.send('free', i))))),
    ).toMatchObject({ ok: 3 });
  });

  it('ZmqClient honours retryAfterMs: a limited request is retried and succeeds', async () => {
    await start();
    const c = await client({ retryOnRateLimit: { maxRetries: 5, maxDelayMs: 1_000 } });
    // 'quick' admits 2 at once, then one every 50 ms: all 6 succeed through retries.
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => outcome(c.send('quick', i))),
    );
    expect(countOutcomes(outcomes)).toEqual({ ok: 6, limited: 0, other: 0 });
    expect(c.rateLimitRetries).toBeGreaterThanOrEqual(4);
  });

  it('a retry-after beyond maxDelayMs is not retried: the caller sees RATE_LIMITED', async () => {
    await start();
    const c = await client({ retryOnRateLimit: { maxRetries: 5, maxDelayMs: 1_000 } });
    const outcomes = await Promise.all(
      Array.from({ length: 7 }, (_, i) => outcome(c.send('quota', i))),
    );
    expect(countOutcomes(outcomes)).toEqual({ ok: 5, limited: 2, other: 0 });
  });

  it('an event rule that pauses PULL drops on the ROUTER, where pausing would stall every peer', async () => {
    const running = await start();
    const pauseRule = (socket: 'router' | 'pull') =>
      running.server.admissionGates[socket]!.patternRules.get('pause.me')![0];
    expect(pauseRule('pull').action).toBe('pause');
    expect(pauseRule('router').action).toBe('drop');
  });

  it('invalid limits fail at start-up with the field and the fix', async () => {
    await expect(start({ peer: { limit: 5, per: '1s', action: 'pause' } })).rejects.toThrow(
      /rateLimit\.peer.*pause/,
    );
    await expect(
      start({ sockets: { pull: { limit: 5, per: '1s', action: 'reject' } } }),
    ).rejects.toThrow(/rateLimit\.sockets\.pull.*reject/);
  });

  it('lists the sockets left without any limit', async () => {
    const running = await start({ patterns: {} });
    expect(running.app.get(RateLimitRegistry).unprotected()).toEqual([]);
    const bare = await startServer(
      { router: { bind: ipcEndpoint() } },
      [],
      [RateLimitModule.forRoot({})],
    );
    cleanup.push(() => bare.app.close());
    expect(bare.app.get(RateLimitRegistry).unprotected()).toEqual(['router']);
  });
});
