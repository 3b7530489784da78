import { DEFAULT_MAX_KEYS } from './rate-limit.constants.js';
import type { CompiledRule } from './compiled-rule.js';
import { gcraNextTat, gcraWait } from './gcra.js';

const FRESH = -Infinity;
import { KeyTable } from './key-table.js';
import type { RateLimitStore, StoreCheck } from './rate-limit-store.interface.js';

export interface MemoryStoreOptions {
  /** Keys tracked per rule. Default 100 000. */
  maxKeys?: number;
}

/**
 * In-process store: one bounded `KeyTable` per rule, synchronous, no allocation per
 * decision for known keys (new TATs and slots go to reused scratch arrays). The same rule
 * must not appear twice in one `consume` call (a gate never does that).
 */
export class MemoryStore implements RateLimitStore {
  private readonly tables = new Map<CompiledRule, KeyTable>();
  private nextTats = new Float64Array(8);
  private slots = new Int32Array(8);
  readonly maxKeys: number;
  readonly synchronous = true;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  consume(checks: readonly StoreCheck[], n: number, now: number): number {
    if (n > this.slots.length) {
      this.nextTats = new Float64Array(n * 2);
      this.slots = new Int32Array(n * 2);
    }
    const next = this.nextTats;
    const slots = this.slots;
    let denied = 0;
    // Phase 1: decide every rule without touching state (one Map lookup per rule).
    for (let i = 0; i < n; i++) {
      const check = checks[i];
      const rule = check.rule;
      const table = this.table(rule);
      const slot = table.slotOf(check.key);
      // A fresh key is a bucket that was full long ago: no `undefined` in the math, so
      // the TAT stays an unboxed double (a number | undefined would box it per call).
      const tat = slot < 0 ? FRESH : table.tatAt(slot);
      const wait = gcraWait(tat, now, rule.toleranceMs);
      check.waitMs = wait;
      slots[i] = slot;
      if (wait > 0) denied++;
      else next[i] = gcraNextTat(tat, now, rule.emissionMs);
    }
    if (denied > 0) return denied;
    // Phase 2: all conform, commit all. Each rule has its own table, so inserting a new key
    // for one check cannot move the slot of another.
    for (let i = 0; i < n; i++) {
      const check = checks[i];
      const table = this.table(check.rule);
      if (slots[i] >= 0) table.setAt(slots[i], next[i]);
      else table.set(check.key, next[i], now);
    }
    return 0;
  }

  trackedKeys(rule: CompiledRule): number {
    return this.tables.get(rule)?.size ?? 0;
  }

  /** The table of a rule (created on first use); exposed for tests and eviction counters. */
  table(rule: CompiledRule): KeyTable {
    let table = this.tables.get(rule);
    if (table === undefined) {
      table = new KeyTable(this.maxKeys);
      this.tables.set(rule, table);
    }
    return table;
  }

  forget(rule: CompiledRule): void {
    this.tables.delete(rule);
  }

  sweep(now: number, idleMs: number): void {
    for (const table of this.tables.values()) table.sweep(now, idleMs);
  }
}
