import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitModule, RateLimitRegistry } from '@sluice/rate-limit';
import type { ZmqClient } from '@sluice/zeromq';
import { runScenario } from '../apps/flood/src/run-scenario.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { memoryGrowth, memorySnapshot } from './support/memory.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';

/** Per routing id: 100 per second (burst 100). */
const PEER_LIMIT = 100;
/** The flooder asks for 20× its per-peer limit. */
const FLOOD_RATE = 20 * PEER_LIMIT;
/** The legitimate client stays well within its own per-peer limit. */
const LEGIT_RATE = 50;
/**
 * The socket budget must cover the legit client plus the flooder's admitted share (at most
 * PEER_LIMIT/s): refused messages take nothing from it (all-or-nothing admission), so
 * 2 × (100 + 50) leaves room to spare while still capping the socket.
 */
const SOCKET_LIMIT = 300;
const SECONDS = 3;

describe('attack: one identity flooding at 20× its per-peer limit', () => {
  let running: RunningServer;
  let client: ZmqClient;
  const router = ipcEndpoint('atk-flood');

  beforeAll(async () => {
    running = await startServer(
      { router: { bind: router } },
      [MathController],
      [
        RateLimitModule.forRoot({
          sockets: { router: { limit: SOCKET_LIMIT, per: '1s', name: 'router-budget' } },
          peer: { limit: PEER_LIMIT, per: '1s' },
        }),
      ],
    );
    client = await startClient({ dealer: { connect: router } });
  });
  afterAll(async () => {
    await client?.close();
    await running?.app.close();
  });

  it('rejects the flooder by its peer rule while the legitimate client keeps ≥ 99% success', async () => {
    const before = memorySnapshot();
    const started = performance.now();
    const report = await runScenario({
      scenario: 'dealer-flood',
      router,
      pattern: 'echo',
      data: { flood: true },
      rate: FLOOD_RATE,
      duration: SECONDS,
      identity: 'flooder',
      legit: { pattern: 'sum', data: [1, 2], rate: LEGIT_RATE },
    });
    const elapsedS = (performance.now() - started) / 1000;
    const after = memorySnapshot();
    const rules = running.app.get(RateLimitRegistry).list();
    const peer = rules.find((r) => r.name === 'peer')!;
    const budget = rules.find((r) => r.name === 'router-budget')!;
    const legit = report.legit!;

    // Precondition: the flooder really sent at least 10× what its peer budget admits.
    expect(report.sent).toBeGreaterThanOrEqual(10 * PEER_LIMIT * SECONDS);
    // Every flood request was answered: admitted, or rejected by the peer rule.
    expect(report.limited!.noReply).toBe(0);
    expect(report.errors).toEqual({});
    expect(report.admitted! + report.limited!.reject).toBe(report.sent);
    // The limiter's own bound: burst + rate × elapsed.
    expect(report.admitted!).toBeLessThanOrEqual(PEER_LIMIT + PEER_LIMIT * elapsedS + 1);
    expect(report.limited!.reject).toBeGreaterThan(report.sent / 2);
    expect(peer.limited.reject).toBe(report.limited!.reject + legit.rateLimited);
    // The socket budget never had to refuse anything: the peer rule did the work.
    expect(budget.limited).toEqual({ drop: 0, pause: 0, reject: 0 });

    expect(legit.sent).toBeGreaterThan(0);
    expect(legit.successRate).toBeGreaterThanOrEqual(0.99);
    expect(legit.rateLimited).toBe(0);

    expect(running.server.isListening).toBe(true);
    await expect(firstValueFrom(client.send('sum', [20, 22]))).resolves.toBe(42);
    const growth = memoryGrowth(before, after);
    console.log(
      `[attack-flood] flooder sent ${report.sent} in ${report.durationMs} ms (${report.sentPerSecond}/s, ` +
        `${(report.sentPerSecond / PEER_LIMIT).toFixed(1)}× its ${PEER_LIMIT}/s peer limit): admitted ${report.admitted}, ` +
        `RATE_LIMITED ${report.limited!.reject}, no reply ${report.limited!.noReply}; socket budget ${SOCKET_LIMIT}/s refused ` +
        `${budget.limited.reject}; legit ${legit.ok}/${legit.sent} ok (${(legit.successRate * 100).toFixed(1)}%), ` +
        `p50 ${legit.p50Ms} ms p99 ${legit.p99Ms} ms; ${growth.text}`,
    );
    expect(growth.heapMb).toBeLessThan(100);
  });
});
