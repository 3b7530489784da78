import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdmissionGate,
  type MemoryStore,
  RateLimitModule,
  RateLimitRegistry,
  Verdict,
} from '@sluice/rate-limit';
import { runScenario } from '../apps/flood/src/run-scenario.js';
import { MathController } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { memoryGrowth, memorySnapshot } from './support/memory.js';
import { type RunningServer, startServer } from './support/nest.js';

/**
 * Identity rotation: every message from a fresh routing id, so a per-peer rule alone never
 * refuses anything. What must hold: the per-peer key table stays at its bound (maxKeys), the
 * memory it holds stays bounded, and the socket budget caps what gets through.
 *
 * 200 000 real DEALER connections would take far longer than this suite may (each is a
 * connect, a ZMTP handshake and a close), so the 200 000 distinct ids go through the real
 * AdmissionGate and MemoryStore (the component that keeps state per id), and 5 000 real
 * identities go end to end through ZmqServer over ipc with the flood tool.
 */
describe('attack: identity rotation', () => {
  it('200 000 distinct peer ids through the real gate: keys stay at maxKeys, the socket budget holds', () => {
    const MAX_KEYS = 10_000;
    const IDS = 200_000;
    const SOCKET_RATE = 5_000; // per second, burst 5 000
    const STEP_MS = 0.1; // simulated clock: 200 000 messages over 20 s
    const registry = new RateLimitRegistry({
      sockets: { router: { limit: SOCKET_RATE, per: '1s', name: 'router-budget' } },
      peer: { limit: 5, per: '1m' },
      maxKeys: MAX_KEYS,
    });
    const gate: AdmissionGate = registry.buildGate({
      socket: 'router',
      socketKind: 'router',
      handlers: [{ pattern: 'sum', isEvent: false }],
    });
    const peerRule = gate.socketRules.find((r) => r.keyKind === 'peer')!;
    const table = (registry.store as MemoryStore).table(peerRule);
    const before = memorySnapshot();
    const t0 = 1_000_000;
    const wallStart = performance.now();
    let admitted = 0;
    let maxTracked = 0;
    for (let i = 0; i < IDS; i++) {
      // A fresh string per message, as the transport builds it from the routing-id frame.
      const verdict = gate.admit('sum', `rot-${i.toString(36)}`, t0 + i * STEP_MS);
      if (verdict === Verdict.Admit) admitted++;
      if (i % 1_000 === 0) maxTracked = Math.max(maxTracked, table.size);
    }
    const wallMs = performance.now() - wallStart;
    const after = memorySnapshot();
    const elapsedMs = (IDS - 1) * STEP_MS;
    const states = registry.list();
    const peer = states.find((r) => r.name === 'peer')!;
    const budget = states.find((r) => r.name === 'router-budget')!;

    expect(peer.trackedKeys).toBeLessThanOrEqual(MAX_KEYS);
    expect(maxTracked).toBeLessThanOrEqual(MAX_KEYS);
    // Every admitted message inserted a fresh key: far more than the table holds.
    expect(admitted).toBeGreaterThan(5 * MAX_KEYS);
    // The peer rule never refuses a fresh id; the socket budget does, within its theory.
    expect(peer.limited).toEqual({ drop: 0, pause: 0, reject: 0 });
    expect(budget.admitted).toBe(admitted);
    expect(admitted).toBeLessThanOrEqual(SOCKET_RATE + (SOCKET_RATE * elapsedMs) / 1000 + 1);
    expect(budget.limited.reject).toBe(IDS - admitted);
    const growth = memoryGrowth(before, after);
    console.log(
      `[attack-rotation-gate] ${IDS} distinct ids over ${(elapsedMs / 1000).toFixed(0)} s simulated: admitted ${admitted} ` +
        `(socket theory ≤ ${SOCKET_RATE + (SOCKET_RATE * elapsedMs) / 1000}), refused by the socket budget ${budget.limited.reject}; ` +
        `tracked keys ${peer.trackedKeys} (max seen ${maxTracked}, bound ${MAX_KEYS}), evicted idle ${table.evictedIdle} ` +
        `active ${table.evictedActive}; ${IDS} admit() calls took ${wallMs.toFixed(0)} ms ` +
        `(${((wallMs * 1000) / IDS).toFixed(1)} µs each); ${growth.text}`,
    );
    expect(growth.heapMb).toBeLessThan(50);
  });

  describe('end to end through ZmqServer', () => {
    const MAX_KEYS = 1_000;
    const IDENTITIES = 5_000;
    const SOCKET_RATE = 1_000;
    let running: RunningServer;
    const router = ipcEndpoint('atk-rotation');

    beforeAll(async () => {
      running = await startServer(
        { router: { bind: router } },
        [MathController],
        [
          RateLimitModule.forRoot({
            sockets: { router: { limit: SOCKET_RATE, per: '1s', name: 'router-budget' } },
            peer: { limit: 2, per: '1m' },
            maxKeys: MAX_KEYS,
          }),
        ],
      );
    });
    afterAll(async () => {
      await running?.app.close();
    });

    it(`${IDENTITIES} real routing ids: tracked keys stay at maxKeys, every request answered`, async () => {
      const before = memorySnapshot();
      const started = performance.now();
      const report = await runScenario({
        scenario: 'identity-rotation',
        router,
        pattern: 'sum',
        data: [1, 2],
        count: IDENTITIES,
        connections: 100,
        duration: 15,
        lingerMs: 0,
      });
      const elapsedMs = performance.now() - started;
      const after = memorySnapshot();
      const states = running.app.get(RateLimitRegistry).list();
      const peer = states.find((r) => r.name === 'peer')!;
      const budget = states.find((r) => r.name === 'router-budget')!;
      const stats = running.server.stats.sockets.router;

      expect(report.sent).toBe(IDENTITIES);
      expect(report.connections!.opened).toBe(IDENTITIES);
      expect(peer.trackedKeys).toBeLessThanOrEqual(MAX_KEYS);
      expect(peer.limited.reject).toBe(0);
      expect(budget.admitted).toBeLessThanOrEqual(
        SOCKET_RATE + (SOCKET_RATE * elapsedMs) / 1000 + 1,
      );
      expect(budget.limited.reject).toBe(IDENTITIES - budget.admitted);
      // Every request is accounted for by the server, and answered (value or RATE_LIMITED).
      expect(stats.received).toBe(IDENTITIES);
      expect(stats.handled + stats.limited.reject).toBe(IDENTITIES);
      expect(report.admitted! + report.limited!.reject).toBe(report.sent);
      expect(report.admitted).toBe(budget.admitted);
      const growth = memoryGrowth(before, after);
      console.log(
        `[attack-rotation-e2e] ${report.connections!.opened} routing ids (${report.sent} requests) in ${report.durationMs} ms ` +
          `(${report.sentPerSecond}/s): admitted ${report.admitted} (socket theory ≤ ${Math.floor(SOCKET_RATE + (SOCKET_RATE * elapsedMs) / 1000)}), ` +
          `RATE_LIMITED ${report.limited!.reject}, no reply ${report.limited!.noReply}; tracked peer keys ${peer.trackedKeys} ` +
          `(bound ${MAX_KEYS}); ${growth.text}`,
      );
      expect(growth.heapMb).toBeLessThan(100);
    });
  });
});
