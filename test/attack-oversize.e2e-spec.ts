import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZmqClient } from '@sluice/zeromq';
import { runScenario } from '../apps/flood/src/run-scenario.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { memoryGrowth, memorySnapshot } from './support/memory.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

const MAX_MESSAGE = 64 * 1024;
const OVERSIZE = 1024 * 1024;

/**
 * Messages over maxMessageSize never reach JavaScript: libzmq reads the size, disconnects the
 * sender and frees nothing it did not allocate. The attacker reconnects by itself and tries
 * again; the server's other clients do not notice.
 */
describe('attack: oversize messages', () => {
  let running: RunningServer;
  let client: ZmqClient;
  const router = ipcEndpoint('atk-oversize-router');
  const pull = ipcEndpoint('atk-oversize-pull');
  const disconnected: string[] = [];

  beforeAll(async () => {
    running = await startServer(
      {
        router: { bind: router, maxMessageSize: MAX_MESSAGE },
        pull: { bind: pull, maxMessageSize: MAX_MESSAGE },
      },
      [MathController],
    );
    running.server.on('peer:disconnected', (event) => disconnected.push(event.socket));
    client = await startClient({ dealer: { connect: router } });
    await firstValueFrom(client.send('sum', [1]));
  });
  afterAll(async () => {
    await client?.close();
    await running?.app.close();
  });

  it('disconnects the sender of each oversize message; memory stays flat; others keep working', async () => {
    const baseline = running.server.connectedPeers.router!;
    const before = memorySnapshot();
    const report = await runScenario({
      scenario: 'oversize',
      router,
      pattern: 'echo',
      size: OVERSIZE,
      count: 200,
      duration: 2,
      hwm: 2,
      sendTimeoutMs: 200,
      lingerMs: 0,
      graceMs: 200,
      legit: { pattern: 'sum', data: [2, 3], rate: 50 },
    });
    const events = await runScenario({
      scenario: 'oversize',
      socket: 'pull',
      pull,
      pattern: 'notify',
      size: OVERSIZE,
      count: 50,
      duration: 1,
      hwm: 2,
      sendTimeoutMs: 200,
      lingerMs: 0,
    });
    const after = memorySnapshot();
    const stats = running.server.stats.sockets;

    expect(report.sent).toBeGreaterThan(0);
    expect(report.connections!.disconnects).toBeGreaterThanOrEqual(1);
    expect(disconnected.filter((s) => s === 'router').length).toBeGreaterThanOrEqual(1);
    expect(disconnected.filter((s) => s === 'pull').length).toBeGreaterThanOrEqual(1);
    // Nothing oversize was ever received, handled or answered.
    expect(report.admitted).toBe(0);
    expect(report.replies).toEqual({ ok: 0, rateLimited: 0, malformed: 0, error: 0 });
    expect(stats.router.received).toBe(stats.router.handled);
    expect(stats.pull.received).toBe(0);
    // The attacker's connections are gone; the long-lived client is still there and served.
    await waitFor(
      () => running.server.connectedPeers.router === baseline,
      'attacker connections to close',
    );
    expect(report.legit!.successRate).toBe(1);
    const big = 'y'.repeat(MAX_MESSAGE - 1024);
    await expect(firstValueFrom(client.send('echo', big))).resolves.toBe(big);

    const growth = memoryGrowth(before, after);
    const attemptedMb = ((report.sent + events.sent) * OVERSIZE) / 1024 / 1024;
    console.log(
      `[attack-oversize] router: ${report.sent} × 1 MiB sent (maxMessageSize 64 KiB), ${report.blocked} sends blocked, ` +
        `attacker saw ${report.connections!.connects} connects / ${report.connections!.disconnects} disconnects; ` +
        `pull: ${events.sent} sent, ${events.connections!.disconnects} disconnects; server peer:disconnected ` +
        `router ${disconnected.filter((s) => s === 'router').length} pull ${disconnected.filter((s) => s === 'pull').length}; ` +
        `legit ${report.legit!.ok}/${report.legit!.sent} ok p99 ${report.legit!.p99Ms} ms; ${attemptedMb.toFixed(0)} MiB attempted, ${growth.text}`,
    );
    expect(growth.rssMb).toBeLessThan(100);
  });
});
