import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZmqClient } from '@sluice/zeromq';
import { runScenario } from '../apps/flood/src/run-scenario.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { memoryGrowth, memorySnapshot } from './support/memory.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

const ROUTER_COUNT = 100_000;
const PULL_COUNT = 20_000;

/**
 * Fuzz at scale with the flood tool's malformed scenario: 100 000 malformed requests of every
 * kind on the ROUTER and 20 000 malformed events on the PULL, while a legitimate client keeps
 * sending. Every message is counted under the reason it was built for; nothing crashes.
 */
describe('attack: fuzz at scale', () => {
  let running: RunningServer;
  let client: ZmqClient;
  const router = ipcEndpoint('atk-fuzz-router');
  const pull = ipcEndpoint('atk-fuzz-pull');

  beforeAll(async () => {
    running = await startServer({ router: { bind: router }, pull: { bind: pull } }, [
      MathController,
    ]);
    client = await startClient({ dealer: { connect: router } });
  });
  afterAll(async () => {
    await client?.close();
    await running?.app.close();
  });

  it(`counts every one of ${ROUTER_COUNT + PULL_COUNT} malformed messages and keeps serving`, async () => {
    const before = memorySnapshot();
    const started = performance.now();
    const report = await runScenario({
      scenario: 'malformed',
      router,
      pattern: 'sum',
      count: ROUTER_COUNT,
      duration: 12,
      seed: 0x5eed,
      graceMs: 3_000,
      legit: { pattern: 'sum', data: [20, 22], rate: 50 },
    });
    const stats = running.server.stats;
    expect(report.sent).toBe(ROUTER_COUNT);
    await waitFor(
      () => stats.sockets.router.malformedTotal === report.sent,
      `${report.sent} malformed requests to be counted`,
      5_000,
    );
    expect(stats.sockets.router.malformed).toMatchObject(report.malformed!.sentByReason);
    // Every message whose id was readable got its MALFORMED reply, and nothing else came back.
    expect(report.replies).toEqual({
      ok: 0,
      rateLimited: 0,
      malformed: report.malformed!.repliesOwed,
      error: 0,
    });
    expect(report.legit!.successRate).toBe(1);

    const events = await runScenario({
      scenario: 'malformed',
      socket: 'pull',
      pull,
      pattern: 'notify',
      count: PULL_COUNT,
      duration: 5,
      seed: 42,
    });
    expect(events.sent).toBe(PULL_COUNT);
    await waitFor(
      () => stats.sockets.pull.malformedTotal === events.sent,
      `${events.sent} malformed events to be counted`,
      5_000,
    );
    expect(stats.sockets.pull.malformed).toMatchObject(events.malformed!.sentByReason);
    const seconds = (performance.now() - started) / 1000;

    await expect(firstValueFrom(client.send('sum', [20, 22]))).resolves.toBe(42);
    expect(running.server.isListening).toBe(true);
    const growth = memoryGrowth(before, memorySnapshot());
    console.log(
      `[attack-fuzz] ${report.sent + events.sent} malformed (router ${report.sent} in ${report.durationMs} ms, ` +
        `${report.sentPerSecond}/s; pull ${events.sent} in ${events.durationMs} ms) in ${seconds.toFixed(1)} s; ` +
        `counted ${stats.sockets.router.malformedTotal}+${stats.sockets.pull.malformedTotal}; ` +
        `MALFORMED replies ${report.replies!.malformed}/${report.malformed!.repliesOwed} owed; ` +
        `legit ${report.legit!.ok}/${report.legit!.sent} ok, p50 ${report.legit!.p50Ms} ms p99 ${report.legit!.p99Ms} ms; ${growth.text}`,
    );
    expect(growth.heapMb).toBeLessThan(100);
  });
});
