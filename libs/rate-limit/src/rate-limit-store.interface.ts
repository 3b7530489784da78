import type { CompiledRule } from './compiled-rule.js';

/**
 * One rule to check for one message. The gate preallocates these and rewrites `rule` and
 * `key` per message; the store writes `waitMs` (0 = this rule admits).
 */
export interface StoreCheck {
  rule: CompiledRule;
  key: string;
  waitMs: number;
}

/**
 * Where GCRA state lives. `consume` is all-or-nothing over `checks[0..n)`: when every check
 * conforms, every key's TAT advances and 0 is returned; otherwise nothing changes, each
 * denying check gets its `waitMs` and the number of denying checks is returned.
 *
 * A memory store answers synchronously (the transport's hot path stays sync). `RedisStore`
 * returns a Promise and runs the same loop in one Lua script over the keys
 * `${prefix}${rule.id}|${key}` with `rule.emissionMs` / `rule.toleranceMs` as arguments,
 * which makes it atomic across processes (redis.store.ts).
 */
export interface RateLimitStore {
  /** True when `consume` never returns a Promise: the gate then reuses its scratch checks. */
  readonly synchronous?: boolean;
  /**
   * True when the state is shared with other processes (Redis): the registry then does not
   * `forget` a rule when one instance's gate closes, since other instances still use it.
   */
  readonly shared?: boolean;
  consume(checks: readonly StoreCheck[], n: number, now: number): number | Promise<number>;
  /** Keys currently tracked for a rule (registry view). */
  trackedKeys(rule: CompiledRule): number;
  /**
   * Drops the state of a rule (when its gate is closed, unless `shared`; on `setLimit`).
   * May return a Promise, which must not reject.
   */
  forget?(rule: CompiledRule): void | Promise<unknown>;
  /** Removes keys idle for `idleMs`; bounded work per call. */
  sweep?(now: number, idleMs: number): void;
}
