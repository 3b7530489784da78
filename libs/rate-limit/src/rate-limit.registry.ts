import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { AdmissionGate } from './admission-gate.js';
import type { CompiledKeyKind, CompiledRule } from './compiled-rule.js';
import { validateRateLimitOptions } from './config-validation.js';
import { parseDuration } from './duration.js';
import { buildAdmissionGate, type BuildGateOptions } from './gate-builder.js';
import { MemoryStore } from './memory.store.js';
import { RATE_WINDOW_MS } from './rate-limit.constants.js';
import type {
  RateLimitAction,
  RateLimitDuration,
  RateLimitModuleOptions,
} from './rate-limit.interfaces.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit.module-definition.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';
import type { RateLimitConfigChange } from './rate-limit-event.interface.js';
import { type Observable, Subject } from 'rxjs';

/** One rule with its live state, as `RateLimitRegistry.list()` reports it. */
export interface RateLimitRuleState {
  id: string;
  name: string;
  socket: string;
  /** Undefined for a socket-wide rule. */
  pattern: string | undefined;
  scope: 'socket' | 'pattern';
  limit: number;
  perMs: number;
  burst: number;
  action: RateLimitAction | undefined;
  shadow: boolean;
  key: CompiledKeyKind;
  admitted: number;
  limited: { drop: number; pause: number; reject: number };
  shadowLimited: number;
  trackedKeys: number;
  /** Admitted messages per second over the last few seconds. */
  currentRate: number;
  /** Limited (and shadow-limited) messages per second over the same window. */
  limitedRate: number;
}

/** A transport's rules without a gate (e.g. a transport with its own admission code). */
export interface RegisteredRules {
  socket: string;
  rules: CompiledRule[];
  store?: RateLimitStore;
}

interface Entry {
  socket: string;
  rules: CompiledRule[];
  store: RateLimitStore;
  source: AdmissionGate | RegisteredRules;
}

interface Sample {
  t: number;
  admitted: number;
  limited: number;
}

const SAMPLE_EVERY_MS = 250;

const limitedTotal = (r: CompiledRule) => r.dropped + r.paused + r.rejected + r.shadowLimited;

/**
 * Inventory of every rule in the process, with live counters; runtime limit changes.
 * Rates are computed on read from counter samples: nothing runs per message.
 */
@Injectable()
export class RateLimitRegistry implements OnModuleDestroy {
  readonly options: RateLimitModuleOptions;
  /** Shared by the gates built through `buildGate` (memory unless `options.store`). */
  readonly store: RateLimitStore;
  private readonly entries: Entry[] = [];
  private readonly samples = new Map<CompiledRule, Sample[]>();
  private readonly logger = new Logger('RateLimit');
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private readonly configChanged = new Subject<RateLimitConfigChange>();
  /** Every rule `setLimit` changed, at once (read by `RateLimitEvents`). */
  readonly configChanges$: Observable<RateLimitConfigChange> = this.configChanged.asObservable();

  constructor(@Optional() @Inject(RATE_LIMIT_OPTIONS) options?: RateLimitModuleOptions) {
    // Start-up validation: a bad option fails the application bootstrap.
    validateRateLimitOptions(options);
    this.options = options ?? {};
    this.store = this.options.store ?? new MemoryStore({ maxKeys: this.options.maxKeys });
    if (this.options.idleEvictMs !== undefined && this.store.sweep) {
      const idleMs = parseDuration(this.options.idleEvictMs, 'rateLimit.idleEvictMs');
      // One timer for the whole registry, never one per key.
      this.sweepTimer = setInterval(
        () => this.store.sweep?.(performance.now(), idleMs),
        Math.min(idleMs, 10_000),
      );
      this.sweepTimer.unref();
    }
  }

  /** Builds a gate from the module options and this registry's store, and registers it. */
  buildGate(opts: Omit<BuildGateOptions, 'options' | 'store'>): AdmissionGate {
    const gate = buildAdmissionGate({
      ...opts,
      options: this.options,
      store: this.store,
    });
    this.register(gate);
    return gate;
  }

  register(source: AdmissionGate | RegisteredRules): void {
    const isGate = typeof (source as AdmissionGate).admit === 'function';
    const rules = isGate ? (source as AdmissionGate).rules() : (source as RegisteredRules).rules;
    const store = source.store ?? this.store;
    this.entries.push({ socket: source.socket, rules, store, source });
    const now = performance.now();
    for (const rule of rules) {
      this.samples.set(rule, [{ t: now, admitted: rule.admitted, limited: limitedTotal(rule) }]);
    }
  }

  unregister(source: AdmissionGate | RegisteredRules): void {
    const i = this.entries.findIndex((e) => e.source === source);
    if (i < 0) return;
    const [entry] = this.entries.splice(i, 1);
    for (const rule of entry.rules) {
      this.samples.delete(rule);
      // A shared store (Redis) keeps the budget: other instances are still spending it.
      if (entry.store.shared !== true) void entry.store.forget?.(rule);
    }
  }

  list(now: number = performance.now()): RateLimitRuleState[] {
    const out: RateLimitRuleState[] = [];
    for (const entry of this.entries) {
      for (const rule of entry.rules) {
        const [currentRate, limitedRate] = this.rates(rule, now);
        out.push({
          id: rule.id,
          name: rule.name,
          socket: rule.socket,
          pattern: rule.pattern,
          scope: rule.scope,
          limit: rule.limit,
          perMs: rule.perMs,
          burst: rule.burst,
          action: rule.action,
          shadow: rule.shadow || (entry.source as AdmissionGate).shadow === true,
          key: rule.keyKind,
          admitted: rule.admitted,
          limited: rule.limited,
          shadowLimited: rule.shadowLimited,
          trackedKeys: entry.store.trackedKeys(rule),
          currentRate,
          limitedRate,
        });
      }
    }
    return out;
  }

  /**
   * Changes the limit (and optionally the window) of every rule named `name` (or with id
   * `name`); the next message uses it. Returns how many rules changed.
   */
  setLimit(name: string, limit: number, per?: RateLimitDuration): number {
    let changed = 0;
    for (const entry of this.entries) {
      for (const rule of entry.rules) {
        if (rule.name === name || rule.id === name) {
          const previous = { limit: rule.limit, perMs: rule.perMs, burst: rule.burst };
          rule.setLimit(limit, per);
          // Old arrival times are scaled to the old rate: start the rule afresh under the new one.
          void entry.store.forget?.(rule);
          changed++;
          this.configChanged.next({ rule, previous });
        }
      }
    }
    if (changed === 0) {
      throw new Error(
        `No rate-limit rule named '${name}': known rules are ${this.ruleNames().join(', ') || 'none'}`,
      );
    }
    return changed;
  }

  /** Sockets registered without any rule. */
  unprotected(): string[] {
    return this.entries.filter((e) => e.rules.length === 0).map((e) => e.socket);
  }

  /** Logs one warning listing the unprotected sockets (transports call it after listen). */
  warnUnprotected(): string[] {
    const sockets = this.unprotected();
    if (sockets.length > 0) {
      this.logger.warn(
        `No rate limit on socket(s) ${sockets.join(', ')}: any sender can flood them. ` +
          'Set RateLimitModule.forRoot({ sockets, peer }) or @RateLimit() on handlers.',
      );
    }
    return sockets;
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private ruleNames(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.rules.map((r) => r.name)))];
  }

  /** Rates against the newest sample at least RATE_WINDOW_MS old (or the oldest one). */
  private rates(rule: CompiledRule, now: number): [number, number] {
    let samples = this.samples.get(rule);
    if (samples === undefined) {
      samples = [{ t: now, admitted: rule.admitted, limited: limitedTotal(rule) }];
      this.samples.set(rule, samples);
    }
    const cur: Sample = {
      t: now,
      admitted: rule.admitted,
      limited: limitedTotal(rule),
    };
    if (now - samples[samples.length - 1].t >= SAMPLE_EVERY_MS) samples.push(cur);
    while (samples.length > 2 && now - samples[1].t >= RATE_WINDOW_MS) samples.shift();
    const base = samples[0];
    const seconds = (now - base.t) / 1000;
    if (seconds <= 0) return [0, 0];
    return [(cur.admitted - base.admitted) / seconds, (cur.limited - base.limited) / seconds];
  }
}
