import { describe, expect, it } from 'vitest';
import { compileRule } from './compiled-rule.js';
import { MemoryStore } from './memory.store.js';
import type { StoreCheck } from './rate-limit-store.interface.js';

const rule = (limit: number, burst = limit) =>
  compileRule({ limit, per: 1000, burst }, { socket: 's' });

describe('MemoryStore', () => {
  it('consumes from every check or from none', () => {
    const store = new MemoryStore();
    const wide = rule(10);
    const narrow = rule(1);
    const checks: StoreCheck[] = [
      { rule: wide, key: 'k', waitMs: 0 },
      { rule: narrow, key: 'k', waitMs: 0 },
    ];
    expect(store.consume(checks, 2, 0)).toBe(0);
    const wideTat = store.table(wide).get('k');
    expect(store.consume(checks, 2, 0)).toBe(1);
    expect(checks[0].waitMs).toBe(0);
    expect(checks[1].waitMs).toBe(1000);
    // The refused message did not consume from the rule that would have admitted it.
    expect(store.table(wide).get('k')).toBe(wideTat);
  });

  it('only looks at the first n checks', () => {
    const store = new MemoryStore();
    const a = rule(1);
    const checks: StoreCheck[] = [
      { rule: a, key: 'x', waitMs: 0 },
      { rule: a, key: 'y', waitMs: 0 },
    ];
    expect(store.consume(checks, 1, 0)).toBe(0);
    expect(store.trackedKeys(a)).toBe(1);
  });

  it('bounds keys per rule and forgets a rule on demand', () => {
    const store = new MemoryStore({ maxKeys: 5 });
    const a = rule(1);
    const check: StoreCheck[] = [{ rule: a, key: '', waitMs: 0 }];
    for (let i = 0; i < 20; i++) {
      check[0].key = `k${i}`;
      store.consume(check, 1, 0);
    }
    expect(store.trackedKeys(a)).toBe(5);
    store.forget(a);
    expect(store.trackedKeys(a)).toBe(0);
  });

  it('sweeps idle keys', () => {
    const store = new MemoryStore();
    const a = rule(1);
    store.consume([{ rule: a, key: 'k', waitMs: 0 }], 1, 0);
    store.sweep(5000, 1000);
    expect(store.trackedKeys(a)).toBe(0);
  });
});
