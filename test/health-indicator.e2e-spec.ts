import { firstValueFrom } from 'rxjs';
import { Dealer } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ZmqHealthDetails,
  ZmqHealthIndicator,
  ZmqHealthModule,
  type ZmqHealthModuleOptions,
  ZmqServers,
} from '@sluice/health';
import { RateLimitModule } from '@sluice/rate-limit';
import type { ZmqClient } from '@sluice/zeromq';
import { LimitedController } from './fixtures/limited.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

type Report = { status: string } & ZmqHealthDetails;

/** Each status rule of ZmqHealthIndicator, on real sockets in real Nest apps. */
describe('ZmqHealthIndicator', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function start(
    health: ZmqHealthModuleOptions,
    limits: Parameters<typeof RateLimitModule.forRoot>[0] = {},
    sockets: { router?: boolean; pull?: boolean } = { router: true, pull: true },
  ): Promise<RunningServer & { router: string; pull: string; indicator: ZmqHealthIndicator }> {
    const router = ipcEndpoint('health-router');
    const pull = ipcEndpoint('health-pull');
    const running = await startServer(
      {
        ...(sockets.router && { router: { bind: router } }),
        ...(sockets.pull && { pull: { bind: pull } }),
      },
      [LimitedController],
      [RateLimitModule.forRoot(limits), ZmqHealthModule.forRoot({ metrics: false, ...health })],
    );
    cleanup.push(() => running.app.close());
    return { ...running, router, pull, indicator: running.app.get(ZmqHealthIndicator) };
  }
  async function client(options: Parameters<typeof startClient>[0]): Promise<ZmqClient> {
    const c = await startClient(options);
    cleanup.push(() => c.close());
    return c;
  }
  const report = (indicator: ZmqHealthIndicator, options = {}): Report =>
    indicator.isHealthy('zmq', options).zmq as Report;

  it('up: listening, per-socket details, rules against their limits', async () => {
    const { indicator, router } = await start({});
    const c = await client({ dealer: { connect: router } });
    for (let i = 0; i < 3; i++) await firstValueFrom(c.send('quota', i));
    await waitFor(() => report(indicator).sockets.router.connectedPeers === 1, 'peer seen');
    const r = report(indicator);
    expect(r.status).toBe('up');
    expect(r.reasons).toEqual([]);
    expect(r.windowSeconds).toBe(10);
    expect(Object.keys(r.sockets).sort()).toEqual(['pull', 'router']);
    expect(r.sockets.router).toMatchObject({
      listening: true,
      paused: false,
      connectedPeers: 1,
      limitedShare: 0,
      malformed: { total: 0, byReason: {} },
    });
    expect(r.sockets.router.perSecond.admitted).toBeGreaterThan(0);
    expect(r.sockets.router.rules).toContainEqual(
      expect.objectContaining({
        rule: 'quick',
        pattern: 'quick',
        key: 'pattern',
        limitPerSecond: 20,
        admittedPerSecond: 0,
      }),
    );
    // 5 per minute: 0.08 per second, against 3 admitted in the window so far.
    const quota = r.sockets.router.rules.find((x) => x.rule === 'quota')!;
    expect(quota).toMatchObject({ limitPerSecond: 0.08, limitedPerSecond: 0, shadow: false });
    expect(quota.admittedPerSecond).toBeGreaterThan(0);
    expect(r.topLimitedPatterns).toEqual([]);
  });

  it('degraded: sustained throttling (over 20% of the messages limited in the window)', async () => {
    const { indicator, router } = await start({});
    const c = await client({ dealer: { connect: router } });
    await Promise.all(Array.from({ length: 60 }, (_, i) => outcome(c.send('quota', i))));
    const r = report(indicator);
    expect(r.status).toBe('degraded');
    expect(r.reasons).toEqual([
      expect.stringMatching(
        /^router: 91\.7% of 60 messages limited over the last 10 s \(threshold 20%\)$/,
      ),
    ]);
    expect(r.sockets.router.limitedShare).toBeCloseTo(55 / 60, 3);
    expect(r.sockets.router.perSecond.limited.reject).toBeGreaterThan(0);
    expect(r.sockets.router.rules[0]).toMatchObject({ rule: 'quota', pattern: 'quota' });
    expect(r.topLimitedPatterns[0]).toMatchObject({ socket: 'router', pattern: 'quota' });
    // The one client is the top limited peer, named by its routing id.
    expect(r.topLimitedPeers).toEqual([
      { socket: 'router', peer: expect.any(String), limited: 55 },
    ]);
    // A looser threshold per check: the same traffic is up.
    expect(report(indicator, { maxLimitedShare: 0.95 }).status).toBe('up');
  });

  it('degraded: a PULL socket paused without a break for longer than the bound', async () => {
    const { indicator, pull } = await start(
      { sampleEveryMs: 100, maxPauseMs: 1_000 },
      {
        sockets: { pull: { name: 'pull-budget', limit: 20, per: '1s', burst: 1, action: 'pause' } },
      },
      { pull: true },
    );
    const c = await client({ push: { connect: pull } });
    // 100 events at 20/s: the reader waits 50 ms before each, for 5 s.
    const sends = Array.from({ length: 100 }, (_, n) =>
      firstValueFrom(c.emit('pause.me', { n }), { defaultValue: undefined }),
    );
    await waitFor(() => report(indicator).sockets.pull.paused, 'the pull socket paused', 3_000);
    expect(report(indicator).status).toBe('up');
    await waitFor(() => report(indicator).status === 'degraded', 'degraded by the pause', 4_000);
    const r = report(indicator);
    expect(r.reasons).toEqual([
      expect.stringMatching(/^pull: paused for 1\.\d s without a break \(threshold 1 s\)$/),
    ]);
    expect(r.sockets.pull.pausedForMs).toBeGreaterThan(1_000);
    // ISO time, about as long ago as pausedForMs says.
    const since = Date.parse(r.sockets.pull.pausedSince!);
    expect(Math.abs(Date.now() - since - r.sockets.pull.pausedForMs!)).toBeLessThan(200);
    expect(r.sockets.pull.perSecond.limited.pause).toBeGreaterThan(0);
    await Promise.allSettled(sends);
  });

  it('down: the server is closed', async () => {
    const { indicator, server } = await start({});
    expect(report(indicator).status).toBe('up');
    await server.close();
    const r = report(indicator);
    expect(r.status).toBe('down');
    expect(r.reasons).toEqual(['server is not listening']);
    expect(r.sockets.router.listening).toBe(false);
  });

  it('details stay small under a flood: top N rules and patterns, malformed by reason', async () => {
    const { indicator, router } = await start(
      { topN: 3 },
      {
        peer: { limit: 30, per: '1m' },
        patterns: {
          free: { limit: 2, per: '1m' },
          whoami: { limit: 2, per: '1m' },
          exempt: { limit: 1, per: '1m' },
        },
      },
    );
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => client({ dealer: { connect: router } })),
    );
    const patterns = ['quota', 'quick', 'free', 'whoami', 'exempt'];
    await Promise.all(
      clients.flatMap((c, k) =>
        Array.from({ length: 40 }, (_, i) =>
          outcome(c.send(patterns[(i + k) % patterns.length], i)),
        ),
      ),
    );
    const raw = new Dealer();
    raw.connect(router);
    cleanup.push(async () => raw.close());
    for (let i = 0; i < 50; i++) await raw.send([Buffer.from([1, 1]), `m${i}`, 'free']);
    await waitFor(() => report(indicator).sockets.router.malformed.total === 50, '50 malformed');
    const r = report(indicator);
    expect(r.status).toBe('degraded');
    expect(r.sockets.router.rules).toHaveLength(3);
    expect(r.sockets.router.rulesOmitted).toBeGreaterThanOrEqual(3);
    expect(r.topLimitedPatterns.length).toBeLessThanOrEqual(3);
    expect(r.sockets.router.malformed).toEqual({ total: 50, byReason: { frame_count: 50 } });
    // 800 requests from 20 peers, 50 malformed: the whole report stays a few kB.
    expect(JSON.stringify(indicator.isHealthy('zmq')).length).toBeLessThan(3_000);
  });

  it('autoTrack: false reports down until a server is tracked by hand, then names it', async () => {
    const { indicator, app, server } = await start({ autoTrack: false });
    expect(report(indicator)).toMatchObject({
      status: 'down',
      reasons: [expect.stringMatching(/no ZmqServer is tracked/)],
    });
    app.get(ZmqServers).track(server, 'orders');
    expect(report(indicator, { server: 'orders' }).status).toBe('up');
    expect(report(indicator, { server: 'billing' })).toMatchObject({
      status: 'down',
      reasons: ["no tracked ZmqServer matches 'billing'"],
    });
  });

  it('several servers: sockets and reasons are prefixed with the server name', async () => {
    const a = await start({ autoTrack: false });
    const b = await start({ autoTrack: false }, {}, { router: true });
    const servers = a.app.get(ZmqServers);
    servers.track(a.server, 'a');
    servers.track(b.server, 'b');
    await b.server.close();
    const r = report(a.indicator);
    expect(Object.keys(r.sockets).sort()).toEqual(['a:pull', 'a:router', 'b:router']);
    expect(r).toMatchObject({ status: 'down', reasons: ['b: server is not listening'] });
  });
});
