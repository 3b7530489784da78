import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZmqServer } from '@sluice/zeromq';
import { RateSampler } from './rate-sampler.js';

/**
 * A real, listening ZmqServer (no Nest needed for its counters). The counters are plain
 * public numbers that the reader loop bumps; here they are set by hand, and the sampler is
 * driven with explicit times, so each window is exact.
 */
describe('RateSampler', () => {
  let server: ZmqServer;
  beforeEach(async () => {
    const bind = `ipc://${join(tmpdir(), `sampler-${process.pid}-${randomBytes(4).toString('hex')}.sock`)}`;
    server = new ZmqServer({ router: { bind }, pull: { bind: `${bind}.pull` } });
    await new Promise<void>((resolve, reject) =>
      server.listen((error) => (error ? reject(error as Error) : resolve())),
    );
  });
  afterEach(() => server.close());

  it('measures counter increases over the window from its ring, covering only what exists', () => {
    const router = server.stats.sockets.router;
    const sampler = new RateSampler(server, 10_000, 1_000);
    sampler.tick(0);
    for (let t = 1_000; t <= 20_000; t += 1_000) {
      router.received += 10;
      router.handled += 8;
      router.limited.reject += 2;
      sampler.tick(t);
    }
    const w = sampler.window(20_000);
    // The newest sample at least 10 s old is the one at t = 10 s.
    expect(w.seconds).toBe(10);
    expect(w.sockets.router).toMatchObject({ received: 100, admitted: 80, reject: 20, drop: 0 });
    expect(w.sockets.pull).toMatchObject({ received: 0 });

    const young = new RateSampler(server, 10_000, 1_000);
    young.tick(20_000);
    router.received += 5;
    expect(young.window(22_000)).toMatchObject({
      seconds: 2,
      sockets: { router: { received: 5 } },
    });
  });

  it('counts the pause under way, and follows a pause streak across the reader loop resets', () => {
    const pull = server.stats.sockets.pull;
    const sampler = new RateSampler(server, 10_000, 1_000);
    sampler.tick(0);
    expect(sampler.pausedSince('pull', 500)).toBeUndefined();
    // The loop waits at most 1 s at a time and resets pausedSince after each wait: a socket
    // throttled for 6 s never shows a pausedSince older than a second.
    for (let t = 1_000; t <= 6_000; t += 1_000) {
      pull.pausedMs += 990; // the waits that ended within this tick
      pull.pausedSince = t; // the next wait has just begun
      sampler.tick(t);
    }
    expect(sampler.pausedSince('pull', 6_000)).toBe(10);
    expect(sampler.window(6_000).sockets.pull!.pausedMs).toBe(5_940);

    // Reading again: the streak is over at once, and for good after the next tick.
    pull.pausedSince = undefined;
    expect(sampler.pausedSince('pull', 6_500)).toBeUndefined();
    sampler.tick(7_000);
    expect(sampler.pausedSince('pull', 7_100)).toBeUndefined();
  });

  it('a fresh pause reports its own start', () => {
    const sampler = new RateSampler(server, 10_000, 1_000);
    sampler.tick(0);
    server.stats.sockets.router.pausedSince = 400;
    expect(sampler.pausedSince('router', 600)).toBe(400);
    server.stats.sockets.router.pausedSince = undefined;
  });
});
