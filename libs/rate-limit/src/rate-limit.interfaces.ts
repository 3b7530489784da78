import type { RateLimitEventsOptions } from './rate-limit-event.interface.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';

/**
 * What happens to a message over the limit.
 * - `drop`: discarded silently (and counted).
 * - `pause`: the transport stops reading the socket for the computed wait (back-pressure).
 * - `reject`: a `RATE_LIMITED` error with `retryAfterMs` goes back to the caller.
 */
export type RateLimitAction = 'drop' | 'pause' | 'reject';

/** Built-in key kinds: one budget per pattern, per peer (ROUTER routing id) or per socket. */
export type RateLimitKeyKind = 'pattern' | 'peer' | 'socket';

/** Passed to a key function. The object is reused between messages: do not keep it. */
export interface RateLimitKeyContext {
  pattern: string;
  peer: string | undefined;
  socket: string;
}

export type RateLimitKeyFn = (ctx: RateLimitKeyContext) => string;

/** Milliseconds, or a string such as `'500ms'`, `'1s'`, `'1m'`, `'1h'`. */
export type RateLimitDuration = number | string;

/** One rule as written by a user (decorator or module options). */
export interface RateLimitRuleOptions {
  /** Messages allowed per `per` window (the sustained rate is `limit / per`). */
  limit: number;
  per: RateLimitDuration;
  /** Messages that may arrive at once from a full bucket. Default: `limit`. */
  burst?: number;
  key?: RateLimitKeyKind | RateLimitKeyFn;
  /** Default chosen by the transport: `reject` for requests, `drop` for events. */
  action?: RateLimitAction;
  name?: string;
  /** Compute and count the decision but admit the message anyway. */
  shadow?: boolean;
}

/** Short alias used in module options. */
export type RuleOptions = RateLimitRuleOptions;

export type SocketKind = 'router' | 'pull' | 'sub';

export interface RateLimitDefaults {
  action?: RateLimitAction;
  shadow?: boolean;
  burst?: number;
}

export interface RateLimitModuleOptions {
  defaults?: RateLimitDefaults;
  /** Whole-socket budgets (key `socket` unless given). */
  sockets?: { router?: RuleOptions; pull?: RuleOptions; sub?: RuleOptions };
  /** Per-peer budget on the ROUTER socket (key `peer`). */
  peer?: RuleOptions;
  /** Rules by pattern name, without touching handler code. */
  patterns?: Record<string, RuleOptions | RuleOptions[]>;
  /** Keys tracked per rule before eviction starts. Default 100 000. */
  maxKeys?: number;
  /** Forget a key this long after its bucket is full again (one sweep timer per registry). */
  idleEvictMs?: RateLimitDuration;
  /** Global shadow mode: every rule only counts. */
  shadow?: boolean;
  /** Default: a memory store. */
  store?: RateLimitStore;
  /** Thresholds of the `RateLimitEvents` stream (docs/alerts.md). */
  events?: RateLimitEventsOptions;
}

/** A rule after validation, durations in ms, name and key filled in. */
export interface NormalizedRule {
  name: string;
  limit: number;
  perMs: number;
  burst: number;
  key: RateLimitKeyKind | RateLimitKeyFn;
  action: RateLimitAction | undefined;
  shadow: boolean;
}
