import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitModule } from '@sluice/rate-limit';
import { LimitedController, seen } from './fixtures/limited.controller.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint, tcpEndpoint } from './support/endpoints.js';
import { startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

/**
 * The pause action stops reading the socket for exactly the limiter's wait. Nothing is dropped:
 * the pipe fills to its HWM and ZeroMQ and TCP push back, so the sender's own sends slow down
 * to the limit.
 */
describe('pause: ZeroMQ pushes back on senders', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('a PUSH sender is slowed to the PULL limit (100/s) and nothing it sent is lost', async () => {
    seen.paused.length = 0;
    const pull = await tcpEndpoint();
    const running = await startServer(
      { pull: { bind: pull, receiveHighWaterMark: 5 } },
      [LimitedController],
      [RateLimitModule.forRoot({})],
    );
    cleanup.push(() => running.app.close());
    const client = await startClient({ push: { connect: pull, sendHighWaterMark: 5 } });
    cleanup.push(() => client.close());

    // 16 KiB events: a few hundred fill the kernel's loopback buffers within the first moments.
    const padding = 'x'.repeat(16 * 1024);
    const started = performance.now();
    const sentAt: number[] = [];
    while (performance.now() - started < 3_000) {
      await firstValueFrom(client.emit('pause.me', { n: sentAt.length, padding }), {
        defaultValue: undefined,
      });
      sentAt.push(performance.now() - started);
    }
    // Once the buffers are full, each send completes only when the server reads one message.
    const late = sentAt.filter((t) => t >= 1_500).length;
    const sendRate = late / 1.5;
    expect(sendRate).toBeGreaterThan(60);
    expect(sendRate).toBeLessThan(140);

    await waitFor(
      () => seen.paused.length === sentAt.length,
      `all ${sentAt.length} events handled`,
      20_000,
    );
    expect(seen.paused).toEqual(sentAt.map((_, i) => i));
    const stats = running.server.stats.sockets.pull;
    expect(stats.limited.pause).toBeGreaterThan(0);
    expect(stats.limited.drop).toBe(0);
    expect(stats.pausedMs).toBeGreaterThan(1_000);
  });

  it('a ROUTER paused by its socket budget serves every request, at the limit', async () => {
    const router = ipcEndpoint();
    const running = await startServer(
      { router: { bind: router } },
      [MathController],
      [
        RateLimitModule.forRoot({
          sockets: { router: { limit: 50, per: '1s', burst: 5, action: 'pause' } },
        }),
      ],
    );
    cleanup.push(() => running.app.close());
    const client = await startClient({ dealer: { connect: router }, timeout: 10_000 });
    cleanup.push(() => client.close());
    const started = performance.now();
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => firstValueFrom(client.send('sum', [i]))),
    );
    const elapsed = performance.now() - started;
    expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // 5 at once, then one every 20 ms: the 100th cannot be admitted before 95 × 20 ms.
    expect(elapsed).toBeGreaterThanOrEqual(95 * 20 * 0.95);
    expect(running.server.stats.sockets.router.limited.pause).toBeGreaterThan(0);
    expect(running.server.stats.sockets.router.limited.reject).toBe(0);
  });
});
