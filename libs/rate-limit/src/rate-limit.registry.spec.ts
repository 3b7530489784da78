import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { AdmissionGate } from './admission-gate.js';
import { compileRule } from './compiled-rule.js';
import { MemoryStore } from './memory.store.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';
import { RateLimitRegistry } from './rate-limit.registry.js';
import { Verdict } from './verdict.js';

describe('RateLimitRegistry', () => {
  it('validates options at construction', () => {
    expect(() => new RateLimitRegistry({ maxKeys: -1 })).toThrow(RateLimitConfigError);
  });

  it('builds gates from the module options and lists rules with live state', () => {
    const registry = new RateLimitRegistry({
      sockets: { router: { limit: 10, per: '1s', name: 'router-budget' } },
      peer: { limit: 2, per: '1s' },
    });
    const gate = registry.buildGate({
      socket: 'router',
      socketKind: 'router',
      handlers: [],
    });
    expect(gate.store).toBe(registry.store);
    // The registry samples counters on performance.now()'s clock, like the transports.
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) void gate.admit('p', 'alice', t0);
    const rows = registry.list(t0 + 1000);
    expect(rows).toHaveLength(2);
    const [router, peer] = rows;
    expect(router).toMatchObject({
      name: 'router-budget',
      socket: 'router',
      scope: 'socket',
      limit: 10,
      perMs: 1000,
      burst: 10,
      action: 'reject',
      key: 'socket',
      admitted: 2,
      trackedKeys: 1,
    });
    expect(peer).toMatchObject({
      name: 'peer',
      key: 'peer',
      admitted: 2,
      limited: { drop: 0, pause: 0, reject: 3 },
      trackedKeys: 1,
    });
    // Counts since registration, about one second before the read.
    expect(peer.currentRate).toBeCloseTo(2, 1);
    expect(peer.limitedRate).toBeCloseTo(3, 1);
  });

  it('setLimit changes every rule of that name for the next message', () => {
    const registry = new RateLimitRegistry({ peer: { limit: 1, per: '1s' } });
    const gate = registry.buildGate({
      socket: 'router',
      socketKind: 'router',
      handlers: [],
    });
    expect(gate.admit('p', 'a', 0)).toBe(Verdict.Admit);
    expect(gate.admit('p', 'b', 0)).toBe(Verdict.Admit);
    expect(registry.setLimit('peer', 5, '10s')).toBe(1);
    expect(registry.list(0)[0]).toMatchObject({
      limit: 5,
      perMs: 10_000,
      burst: 5,
    });
    // Key 'c' is fresh: 5 at once under the new limit.
    let admitted = 0;
    for (let i = 0; i < 10; i++) if (gate.admit('p', 'c', 0) === Verdict.Admit) admitted++;
    expect(admitted).toBe(5);
    expect(() => registry.setLimit('nope', 1)).toThrow(
      "No rate-limit rule named 'nope': known rules are peer",
    );
  });

  it('lists and warns about sockets registered without rules', () => {
    const registry = new RateLimitRegistry();
    registry.buildGate({ socket: 'pull', socketKind: 'pull', handlers: [] });
    registry.register(
      new AdmissionGate({
        socket: 'router',
        socketRules: [compileRule({ limit: 1, per: 1 }, { socket: 'router' })],
        patternRules: new Map(),
        store: new MemoryStore(),
        defaultAction: 'reject',
      }),
    );
    expect(registry.unprotected()).toEqual(['pull']);
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    expect(registry.warnUnprotected()).toEqual(['pull']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('No rate limit on socket(s) pull'));
    warn.mockRestore();
  });

  it('unregister forgets the rules and their state', () => {
    const registry = new RateLimitRegistry({ peer: { limit: 1, per: 1000 } });
    const gate = registry.buildGate({
      socket: 'router',
      socketKind: 'router',
      handlers: [],
    });
    void gate.admit('p', 'a', 0);
    registry.unregister(gate);
    expect(registry.list()).toEqual([]);
    expect(registry.store.trackedKeys(gate.socketRules[0])).toBe(0);
  });

  it('runs one sweep timer when idleEvictMs is set and stops it on destroy', () => {
    vi.useFakeTimers();
    try {
      const store = new MemoryStore();
      const sweep = vi.spyOn(store, 'sweep');
      const registry = new RateLimitRegistry({ store, idleEvictMs: '1s' });
      vi.advanceTimersByTime(3000);
      expect(sweep).toHaveBeenCalledTimes(3);
      registry.onModuleDestroy();
      vi.advanceTimersByTime(3000);
      expect(sweep).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
