import type { CompiledKeyKind, CompiledRule } from './compiled-rule.js';
import type { RateLimitAction, RateLimitDuration } from './rate-limit.interfaces.js';

/**
 * - `throttling.started`: a rule limited messages (enforced or shadow) after a quiet time.
 * - `throttling.sustained`: the limited share stayed ≥ `sustainedShare` for `sustainedAfterMs`
 *   (once per throttling episode).
 * - `throttling.stopped`: nothing limited for `quietAfterMs`; ends the episode.
 * - `near_limit`: a single-budget rule (key `socket` or `pattern`) admitted ≥ `nearLimitRatio`
 *   of its limit over one interval without limiting; again only after the rate stayed under
 *   that for `quietAfterMs`.
 * - `config.changed`: `RateLimitRegistry.setLimit()` changed the rule (emitted at once).
 */
export type RateLimitEventType =
  | 'throttling.started'
  | 'throttling.sustained'
  | 'throttling.stopped'
  | 'near_limit'
  | 'config.changed';

export interface RateLimitEvent {
  type: RateLimitEventType;
  /** When the event was detected (ISO 8601). */
  at: string;
  socket: string;
  /** Rule name (`peer`, `default`, or the `name` given). */
  rule: string;
  /** `socket|pattern-or-*|name`, unique per socket. */
  ruleId: string;
  /** Undefined for a socket-wide rule. */
  pattern: string | undefined;
  key: CompiledKeyKind;
  limit: number;
  perMs: number;
  burst: number;
  action: RateLimitAction | undefined;
  /** A shadow rule only counts: its events tell what enforcing it would do. */
  shadow: boolean;
  /** Admitted messages per second over the last interval (2 decimals). */
  rate: number;
  /** Limited (or shadow-limited) messages per second over the last interval (2 decimals). */
  limitedRate: number;
  /** limited / (admitted + limited) over the last interval, 0..1 (3 decimals). */
  limitedShare: number;
  /** `throttling.sustained` / `throttling.stopped`: start of the episode (ISO 8601). */
  since?: string;
  /** `throttling.sustained`: time since `since`; `throttling.stopped`: `since` to the last limiting. */
  durationMs?: number;
  /** `throttling.sustained` / `throttling.stopped`: messages limited in the episode so far. */
  limited?: number;
  /** `config.changed`: the values before the change. */
  previous?: { limit: number; perMs: number; burst: number };
}

/** `RateLimitModuleOptions.events`: when the events stream reports what. */
export interface RateLimitEventsOptions {
  /** How often the counters are read (one timer for the app). Default 1 s. */
  intervalMs?: RateLimitDuration;
  /** `near_limit` when the admitted rate reaches this share of the limit, 0 < r ≤ 1. Default 0.8. */
  nearLimitRatio?: number;
  /** `throttling.sustained` after the limited share stayed high this long. Default 30 s. */
  sustainedAfterMs?: RateLimitDuration;
  /** Limited share (limited / all) that counts as high, 0 < s ≤ 1. Default 0.1. */
  sustainedShare?: number;
  /** `throttling.stopped` after this long without a limited message. Default 10 s. */
  quietAfterMs?: RateLimitDuration;
}

/** Pushed by `RateLimitRegistry.setLimit()` for every rule it changed. */
export interface RateLimitConfigChange {
  rule: CompiledRule;
  previous: { limit: number; perMs: number; burst: number };
}
