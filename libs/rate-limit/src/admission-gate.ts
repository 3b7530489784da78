import type { CompiledRule } from './compiled-rule.js';
import type { RateLimitStore, StoreCheck } from './rate-limit-store.interface.js';
import type { RateLimitAction, RateLimitKeyContext } from './rate-limit.interfaces.js';
import { Verdict, verdictOf } from './verdict.js';

export interface AdmissionGateOptions {
  /** Socket name, shown by the registry and passed to key functions. */
  socket: string;
  /** Rules checked for every message of the socket (keys socket, peer or function). */
  socketRules: CompiledRule[];
  /** Rules by pattern, checked together with the socket rules. */
  patternRules: Map<string, CompiledRule[]>;
  store: RateLimitStore;
  /** Global shadow mode: every rule only counts. */
  shadow?: boolean;
  /** Action of rules that give none. */
  defaultAction: RateLimitAction;
}

/** Decision details, for callers that await an async store concurrently. */
export interface AdmissionDetails {
  waitMs: number;
  rule: CompiledRule | undefined;
}

const NO_RULES: CompiledRule[] = [];

function newCheck(): StoreCheck {
  return { rule: undefined as unknown as CompiledRule, key: '', waitMs: 0 };
}

/**
 * Multi-rule admission for one socket, compiled once by the transport.
 *
 * All applicable enforced rules (socket-wide + the pattern's) are consumed together: the
 * message takes a slot from all of them or from none, so a message refused by one rule is
 * not counted against the others. When several refuse, the verdict is the most severe
 * action among them (reject > pause > drop) and `waitMs` the longest wait: after it every
 * rule conforms again.
 *
 * Shadow rules are evaluated only for messages the enforced rules admit, each on its own,
 * and behave as if enforced: a would-be-limited message counts in `shadowLimited` and does
 * not advance that rule's state, so `shadowLimited` predicts what enforcing would refuse.
 *
 * With a synchronous store (memory) `admit` is synchronous and allocates nothing: the check
 * objects are preallocated and the key strings are the caller's.
 */
export class AdmissionGate {
  readonly socket: string;
  readonly store: RateLimitStore;
  readonly shadow: boolean;
  readonly defaultAction: RateLimitAction;
  readonly socketRules: readonly CompiledRule[];
  readonly patternRules: ReadonlyMap<string, readonly CompiledRule[]>;
  /** The transport converts the routing id to a string only when this is true. */
  readonly hasPeerRules: boolean;
  /** No rule at all: the transport can skip admission. */
  readonly isEmpty: boolean;
  /** Longest wait among the refusing rules of the last non-admit decision (ms). */
  waitMs = 0;
  /** The rule that decided the last non-admit verdict. */
  rule: CompiledRule | undefined = undefined;

  private readonly checks: StoreCheck[];
  /** One single-check array per shadow slot: each shadow rule is consumed on its own. */
  private readonly shadowChecks: StoreCheck[][];
  private readonly keyCtx: RateLimitKeyContext;
  private readonly sync: boolean;

  constructor(opts: AdmissionGateOptions) {
    this.socket = opts.socket;
    this.store = opts.store;
    this.shadow = opts.shadow ?? false;
    this.defaultAction = opts.defaultAction;
    this.socketRules = opts.socketRules;
    this.patternRules = opts.patternRules;
    this.sync = opts.store.synchronous === true;
    this.keyCtx = { pattern: '', peer: undefined, socket: opts.socket };
    let max = 0;
    for (const rules of opts.patternRules.values()) {
      max = Math.max(max, rules.length);
    }
    const slots = opts.socketRules.length + max;
    this.checks = Array.from({ length: slots }, newCheck);
    this.shadowChecks = Array.from({ length: slots }, () => [newCheck()]);
    const all = this.rules();
    for (const rule of all) rule.action ??= opts.defaultAction;
    this.isEmpty = all.length === 0;
    this.hasPeerRules = all.some((r) => r.keyKind === 'peer' || r.keyKind === 'function');
  }

  /** Every rule of the gate (socket rules first). */
  rules(): CompiledRule[] {
    const out = [...this.socketRules];
    for (const rules of this.patternRules.values()) out.push(...rules);
    return out;
  }

  /**
   * Decides one message. `now` in ms (monotonic, e.g. `performance.now()`). Read `waitMs`
   * and `rule` right after a non-admit verdict; with an async store pass `out` instead.
   */
  admit(
    pattern: string,
    peer: string | undefined,
    now: number,
    out?: AdmissionDetails,
  ): Verdict | Promise<Verdict> {
    const patternRules = this.patternRules.get(pattern) ?? NO_RULES;
    const sync = this.sync;
    const checks = sync ? this.checks : [];
    const shadows = sync ? this.shadowChecks : [];
    let n = 0;
    let s = 0;
    for (let pass = 0; pass < 2; pass++) {
      const rules = pass === 0 ? this.socketRules : patternRules;
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i];
        const check =
          this.shadow || rule.shadow
            ? sync
              ? shadows[s++][0]
              : (shadows[s++] = [newCheck()])[0]
            : sync
              ? checks[n++]
              : (checks[n++] = newCheck());
        check.rule = rule;
        check.key = this.keyFor(rule, pattern, peer);
      }
    }
    if (n === 0 && s === 0) return Verdict.Admit;
    if (sync) {
      const denied = n === 0 ? 0 : (this.store.consume(checks, n, now) as number);
      if (denied > 0) return this.refuse(checks, n, out);
      this.commitCounts(checks, n);
      for (let i = 0; i < s; i++) {
        this.countShadow(shadows[i][0], this.store.consume(shadows[i], 1, now) as number);
      }
      return Verdict.Admit;
    }
    return this.admitAsync(checks, n, shadows, s, now, out);
  }

  private async admitAsync(
    checks: StoreCheck[],
    n: number,
    shadows: StoreCheck[][],
    s: number,
    now: number,
    out: AdmissionDetails | undefined,
  ): Promise<Verdict> {
    const denied = n === 0 ? 0 : await this.store.consume(checks, n, now);
    if (denied > 0) return this.refuse(checks, n, out);
    this.commitCounts(checks, n);
    for (let i = 0; i < s; i++) {
      this.countShadow(shadows[i][0], await this.store.consume(shadows[i], 1, now));
    }
    return Verdict.Admit;
  }

  private keyFor(rule: CompiledRule, pattern: string, peer: string | undefined): string {
    switch (rule.keyKind) {
      case 'socket':
        return '*';
      case 'pattern':
        return pattern;
      case 'peer':
        // Without an identity every anonymous sender shares one bucket.
        return peer ?? '';
      default: {
        const ctx = this.keyCtx;
        ctx.pattern = pattern;
        ctx.peer = peer;
        return rule.keyFn!(ctx);
      }
    }
  }

  private commitCounts(checks: StoreCheck[], n: number): void {
    for (let i = 0; i < n; i++) checks[i].rule.admitted++;
  }

  private countShadow(check: StoreCheck, denied: number): void {
    if (denied > 0) check.rule.shadowLimited++;
    else check.rule.admitted++;
  }

  private refuse(checks: StoreCheck[], n: number, out: AdmissionDetails | undefined): Verdict {
    let verdict: Verdict = Verdict.Admit;
    let waitMs = 0;
    let decider: CompiledRule | undefined;
    for (let i = 0; i < n; i++) {
      const check = checks[i];
      if (check.waitMs <= 0) continue;
      const v = verdictOf(check.rule.action ?? this.defaultAction);
      if (v > verdict || (v === verdict && check.waitMs > waitMs)) {
        verdict = v;
        decider = check.rule;
      }
      if (check.waitMs > waitMs) waitMs = check.waitMs;
    }
    // Every refusing rule counts the outcome the message actually got.
    for (let i = 0; i < n; i++) {
      const check = checks[i];
      if (check.waitMs <= 0) continue;
      if (verdict === Verdict.Reject) check.rule.rejected++;
      else if (verdict === Verdict.Pause) check.rule.paused++;
      else check.rule.dropped++;
    }
    this.waitMs = waitMs;
    this.rule = decider;
    if (out !== undefined) {
      out.waitMs = waitMs;
      out.rule = decider;
    }
    return verdict;
  }
}
