import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitModule } from '@sluice/rate-limit';
import { runScenario } from '../apps/flood/src/run-scenario.js';
import { LimitedController, seen } from './fixtures/limited.controller.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

describe('attack: slow consumers and pause', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('PUSH flood against a pause rule: the sender blocks, every event sent is handled, in order', async () => {
    seen.paused.length = 0;
    const pull = ipcEndpoint('atk-pause');
    // 'pause.me': 100/s, burst 10, action pause (LimitedController).
    const running = await startServer(
      { pull: { bind: pull, receiveHighWaterMark: 5 } },
      [LimitedController],
      [RateLimitModule.forRoot({})],
    );
    cleanup.push(() => running.app.close());

    const report = await runScenario({
      scenario: 'push-flood',
      pull,
      pattern: 'pause.me',
      size: 16 * 1024,
      duration: 2,
      hwm: 5,
      sendTimeoutMs: 5_000,
      lingerMs: 10_000,
      // Kept open after the last send: about 25 events are still queued (HWMs + kernel).
      graceMs: 1_500,
    });
    // Measured from the end of the run, which includes the grace after the last send.
    const drainStarted = performance.now();
    await waitFor(
      () => seen.paused.length >= report.sent,
      `all ${report.sent} events handled`,
      15_000,
    );
    const drainMs = performance.now() - drainStarted;
    expect(report.sent).toBeGreaterThan(0);
    expect(report.blocked).toBe(0);
    expect(seen.paused).toEqual(Array.from({ length: report.sent }, (_, i) => i));
    const stats = running.server.stats.sockets.pull;
    expect(stats.limited.drop).toBe(0);
    expect(stats.limited.pause).toBeGreaterThan(0);
    expect(stats.pausedMs).toBeGreaterThan(0);
    // The limiter's lower bound: past the burst of 10, one event per 10 ms at most.
    const totalMs = report.durationMs + drainMs;
    expect(totalMs).toBeGreaterThanOrEqual((report.sent - 10) * 10 * 0.95);
    console.log(
      `[attack-pause] push-flood of 16 KiB events for ${report.sendingMs} ms against 100/s pause: sent ${report.sent} ` +
        `(${report.sentPerSecond}/s, sends held back by the HWM), handled ${seen.paused.length} in order, dropped ` +
        `${stats.limited.drop}; reading paused ${Math.round(stats.pausedMs)} ms; ` +
        `all handled within ${Math.round(report.durationMs - report.sendingMs + drainMs)} ms of the last send`,
    );
  });

  it('a DEALER that never reads its replies: replies to it fail fast and are counted; others are served', async () => {
    const router = ipcEndpoint('atk-slow');
    const running = await startServer({ router: { bind: router, sendHighWaterMark: 20 } }, [
      MathController,
    ]);
    cleanup.push(() => running.app.close());
    const client = await startClient({ dealer: { connect: router } });
    cleanup.push(() => client.close());

    const report = await runScenario({
      scenario: 'slow-reader',
      router,
      pattern: 'echo',
      size: 1024,
      count: 20_000,
      duration: 3,
      hwm: 10,
      legit: { pattern: 'sum', data: [4, 5], rate: 50 },
    });
    const stats = running.server.stats.sockets.router;
    const legit = report.legit!;

    await waitFor(() => stats.handled >= report.sent + legit.sent + 1, 'every request handled');
    expect(stats.repliesDropped).toBeGreaterThan(0);
    // Each reply to the slow reader was either delivered (drained afterwards) or dropped.
    expect(report.replies!.ok + stats.repliesDropped).toBeLessThanOrEqual(report.sent);
    expect(legit.sent).toBeGreaterThan(0);
    expect(legit.successRate).toBeGreaterThanOrEqual(0.99);
    await expect(firstValueFrom(client.send('sum', [20, 22]))).resolves.toBe(42);
    console.log(
      `[attack-slow-reader] slow reader sent ${report.sent} requests in ${report.durationMs} ms (${report.sentPerSecond}/s), ` +
        `server handled ${stats.handled}, replies dropped ${stats.repliesDropped} (EAGAIN at its HWM), ` +
        `${report.replies!.ok} got through; legit ${legit.ok}/${legit.sent} ok (${(legit.successRate * 100).toFixed(1)}%), ` +
        `p50 ${legit.p50Ms} ms p99 ${legit.p99Ms} ms`,
    );
  });
});
