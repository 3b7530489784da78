import { normalizeRule } from './config-validation.js';
import { parseDuration } from './duration.js';
import { emissionInterval, tolerance } from './gcra.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';
import type {
  NormalizedRule,
  RateLimitAction,
  RateLimitDefaults,
  RateLimitDuration,
  RateLimitKeyFn,
  RateLimitKeyKind,
  RateLimitRuleOptions,
} from './rate-limit.interfaces.js';

export type CompiledKeyKind = RateLimitKeyKind | 'function';

/**
 * A rule ready for the hot path: GCRA parameters precomputed and live counters as plain
 * number fields (bumped by the gate, read by the registry).
 */
export class CompiledRule {
  /** `socket|pattern-or-*|name`: stable, also the key prefix of a shared (Redis) store. */
  readonly id: string;
  readonly name: string;
  /** Counted, never enforced. */
  readonly shadow: boolean;
  readonly keyKind: CompiledKeyKind;
  readonly keyFn: RateLimitKeyFn | undefined;
  limit: number;
  perMs: number;
  burst: number;
  /** T = perMs / limit. */
  emissionMs: number;
  /** tau = T * (burst - 1). */
  toleranceMs: number;
  /** Resolved by the gate when undefined (its default for the handler kind). */
  action: RateLimitAction | undefined;
  admitted = 0;
  dropped = 0;
  paused = 0;
  rejected = 0;
  shadowLimited = 0;
  private readonly burstFollowsLimit: boolean;

  constructor(
    rule: NormalizedRule,
    readonly socket: string,
    /** Undefined for a socket-wide rule. */
    readonly pattern: string | undefined,
    burstGiven: boolean,
  ) {
    this.id = `${socket}|${pattern ?? '*'}|${rule.name}`;
    this.keyKind = typeof rule.key === 'function' ? 'function' : rule.key;
    this.keyFn = typeof rule.key === 'function' ? rule.key : undefined;
    this.action = rule.action;
    this.burstFollowsLimit = !burstGiven;
    this.limit = rule.limit;
    this.perMs = rule.perMs;
    this.burst = rule.burst;
    this.emissionMs = emissionInterval(rule.limit, rule.perMs);
    this.toleranceMs = tolerance(this.emissionMs, rule.burst);
    this.name = rule.name;
    this.shadow = rule.shadow;
  }

  get scope(): 'socket' | 'pattern' {
    return this.pattern === undefined ? 'socket' : 'pattern';
  }

  get limited(): { drop: number; pause: number; reject: number } {
    return { drop: this.dropped, pause: this.paused, reject: this.rejected };
  }

  /**
   * Changes the rate at runtime; the next decision uses it. Existing TATs are kept, so a
   * key that was over the old limit is judged against the new one from its current state.
   * A burst that defaulted to the limit follows the new limit.
   */
  setLimit(limit: number, per?: RateLimitDuration): void {
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new RateLimitConfigError(
        `setLimit('${this.name}'): limit must be a positive integer (got ${limit})`,
      );
    }
    if (per !== undefined) this.perMs = parseDuration(per, `setLimit('${this.name}').per`);
    this.limit = limit;
    if (this.burstFollowsLimit) this.burst = limit;
    this.emissionMs = emissionInterval(limit, this.perMs);
    this.toleranceMs = tolerance(this.emissionMs, this.burst);
  }
}

export interface CompileRuleContext {
  /** Name of the socket (or transport) the rule belongs to. */
  socket: string;
  /** Handler pattern; undefined for a socket-wide rule. */
  pattern?: string;
  /** Path named in configuration errors. */
  path?: string;
  defaults?: RateLimitDefaults;
  /** Key used when the rule gives none: 'pattern' for handler rules, 'socket'/'peer' for budgets. */
  defaultKey?: RateLimitKeyKind;
}

/** Validates and compiles one rule. Throws `RateLimitConfigError`. */
export function compileRule(rule: RateLimitRuleOptions, ctx: CompileRuleContext): CompiledRule {
  const path =
    ctx.path ??
    (ctx.pattern === undefined
      ? `rateLimit(${ctx.socket})`
      : `rateLimit(${ctx.socket} '${ctx.pattern}')`);
  const normalized = normalizeRule(
    rule,
    path,
    ctx.defaults,
    ctx.defaultKey ?? (ctx.pattern === undefined ? 'socket' : 'pattern'),
  );
  const burstGiven = rule.burst !== undefined || ctx.defaults?.burst !== undefined;
  return new CompiledRule(normalized, ctx.socket, ctx.pattern, burstGiven);
}
