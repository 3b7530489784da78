import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Observable, Subject, type Subscription } from 'rxjs';
import type { CompiledRule } from './compiled-rule.js';
import { parseDuration } from './duration.js';
import type {
  RateLimitConfigChange,
  RateLimitEvent,
  RateLimitEventType,
  RateLimitEventsOptions,
} from './rate-limit-event.interface.js';
import { RateLimitRegistry, type RateLimitRuleState } from './rate-limit.registry.js';

export const DEFAULT_EVENTS_INTERVAL_MS = 1_000;
export const DEFAULT_NEAR_LIMIT_RATIO = 0.8;
export const DEFAULT_SUSTAINED_AFTER_MS = 30_000;
export const DEFAULT_SUSTAINED_SHARE = 0.1;
export const DEFAULT_QUIET_AFTER_MS = 10_000;

/** What the stream remembers of one rule between two reads of the counters. */
interface RuleTrack {
  row: RateLimitRuleState;
  admitted: number;
  limited: number;
  rate: number;
  limitedRate: number;
  limitedShare: number;
  /** Start of the throttling episode, undefined when not throttling. */
  since: number | undefined;
  lastLimitedAt: number;
  episodeLimited: number;
  /** Start of the run of intervals with a high limited share. */
  highSince: number | undefined;
  sustained: boolean;
  near: boolean;
  /** Start of the run of intervals under the near-limit rate. */
  belowSince: number | undefined;
}

const limitedOf = (r: RateLimitRuleState) =>
  r.limited.drop + r.limited.pause + r.limited.reject + r.shadowLimited;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const wallTime = (now: number) => new Date(performance.timeOrigin + now).toISOString();

/**
 * Throttling state changes as an RxJS stream, for alerts (docs/alerts.md). Computed from the
 * registry's counters on ONE periodic timer (unref'd; started on module init, stopped on
 * destroy): nothing runs per message. `config.changed` comes from `setLimit` at once.
 *
 * Rules are followed by id; rows of two gates with the same id (two servers naming a socket
 * alike) are summed. A rule seen at `start()` counts from its counters then; a rule registered
 * later counts from zero, i.e. from its registration.
 */
@Injectable()
export class RateLimitEvents implements OnModuleInit, OnModuleDestroy {
  readonly intervalMs: number;
  readonly nearLimitRatio: number;
  readonly sustainedAfterMs: number;
  readonly sustainedShare: number;
  readonly quietAfterMs: number;
  private readonly subject = new Subject<RateLimitEvent>();
  /** Hot stream: a subscriber sees the events after it subscribed. Completes on module destroy. */
  readonly events$: Observable<RateLimitEvent> = this.subject.asObservable();
  private readonly tracks = new Map<string, RuleTrack>();
  private lastAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private changes: Subscription | undefined;

  /** Thresholds from `RateLimitModuleOptions.events` (validated with the module options). */
  constructor(private readonly registry: RateLimitRegistry) {
    const options: RateLimitEventsOptions = registry.options.events ?? {};
    const path = 'rateLimit.events';
    this.intervalMs = parseDuration(
      options.intervalMs ?? DEFAULT_EVENTS_INTERVAL_MS,
      `${path}.intervalMs`,
    );
    this.sustainedAfterMs = parseDuration(
      options.sustainedAfterMs ?? DEFAULT_SUSTAINED_AFTER_MS,
      `${path}.sustainedAfterMs`,
    );
    this.quietAfterMs = parseDuration(
      options.quietAfterMs ?? DEFAULT_QUIET_AFTER_MS,
      `${path}.quietAfterMs`,
    );
    this.nearLimitRatio = options.nearLimitRatio ?? DEFAULT_NEAR_LIMIT_RATIO;
    this.sustainedShare = options.sustainedShare ?? DEFAULT_SUSTAINED_SHARE;
  }

  onModuleInit(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
    this.subject.complete();
  }

  /**
   * Takes the counters as the baseline and starts the timer (`timer: false`: no timer, the
   * caller drives `evaluate`). Idempotent.
   */
  start(now: number = performance.now(), timer = true): void {
    if (this.lastAt !== undefined) return;
    this.lastAt = now;
    for (const row of this.rows()) this.tracks.set(row.id, this.track(row, true));
    this.changes = this.registry.configChanges$.subscribe((change) => this.configChanged(change));
    if (timer) {
      this.timer = setInterval(() => this.evaluate(), this.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.changes?.unsubscribe();
    this.changes = undefined;
    this.lastAt = undefined;
    this.tracks.clear();
  }

  /** One read of the counters (the timer's work): emits the state changes since the last one. */
  evaluate(now: number = performance.now()): void {
    const prevAt = this.lastAt;
    if (prevAt === undefined || now <= prevAt) return;
    this.lastAt = now;
    const seconds = (now - prevAt) / 1000;
    const seen = new Set<string>();
    for (const row of this.rows()) {
      seen.add(row.id);
      let t = this.tracks.get(row.id);
      if (t === undefined) {
        t = this.track(row, false);
        this.tracks.set(row.id, t);
      }
      t.row = row;
      const limited = limitedOf(row);
      // A counter that went down belongs to a re-registered rule: count it from zero.
      const dA = row.admitted >= t.admitted ? row.admitted - t.admitted : row.admitted;
      const dL = limited >= t.limited ? limited - t.limited : limited;
      t.admitted = row.admitted;
      t.limited = limited;
      t.rate = round(dA / seconds, 2);
      t.limitedRate = round(dL / seconds, 2);
      t.limitedShare = dA + dL === 0 ? 0 : round(dL / (dA + dL), 3);
      this.step(t, dA / seconds, dL, prevAt, now);
    }
    for (const [id, t] of this.tracks) {
      if (seen.has(id)) continue;
      // The rule is gone (its gate was unregistered): close an open episode.
      if (t.since !== undefined) this.emit('throttling.stopped', t, now, this.episode(t, false));
      this.tracks.delete(id);
    }
  }

  private step(t: RuleTrack, admittedPerSec: number, dL: number, prevAt: number, now: number) {
    if (dL > 0) {
      t.lastLimitedAt = now;
      t.episodeLimited += dL;
      if (t.since === undefined) {
        t.since = prevAt;
        this.emit('throttling.started', t, now);
      }
      if (t.limitedShare >= this.sustainedShare) {
        t.highSince ??= prevAt;
        if (!t.sustained && now - t.highSince >= this.sustainedAfterMs) {
          t.sustained = true;
          this.emit('throttling.sustained', t, now, this.episode(t, true, now));
        }
      } else {
        t.highSince = undefined;
      }
    } else {
      t.highSince = undefined;
      if (t.since !== undefined && now - t.lastLimitedAt >= this.quietAfterMs) {
        this.emit('throttling.stopped', t, now, this.episode(t, false));
        t.since = undefined;
        t.episodeLimited = 0;
        t.sustained = false;
      }
    }
    // Near the limit: only a single-budget rule's rate compares with its limit.
    const { key, limit, perMs } = t.row;
    if (key !== 'socket' && key !== 'pattern') return;
    if (admittedPerSec >= (this.nearLimitRatio * limit * 1000) / perMs) {
      t.belowSince = undefined;
      if (!t.near && t.since === undefined) {
        t.near = true;
        this.emit('near_limit', t, now);
      }
    } else {
      t.belowSince ??= prevAt;
      if (t.near && now - t.belowSince >= this.quietAfterMs) t.near = false;
    }
  }

  private configChanged({ rule, previous }: RateLimitConfigChange): void {
    const t = this.tracks.get(rule.id);
    this.subject.next({
      ...this.base('config.changed', t?.row ?? rule, performance.now()),
      // The row was read before the change: the new values come from the rule.
      limit: rule.limit,
      perMs: rule.perMs,
      burst: rule.burst,
      rate: t?.rate ?? 0,
      limitedRate: t?.limitedRate ?? 0,
      limitedShare: t?.limitedShare ?? 0,
      previous,
    });
  }

  private episode(t: RuleTrack, running: boolean, now = 0): Partial<RateLimitEvent> {
    const since = t.since!;
    return {
      since: wallTime(since),
      durationMs: Math.round((running ? now : t.lastLimitedAt) - since),
      limited: t.episodeLimited,
    };
  }

  private emit(
    type: RateLimitEventType,
    t: RuleTrack,
    now: number,
    extra?: Partial<RateLimitEvent>,
  ): void {
    this.subject.next({
      ...this.base(type, t.row, now),
      rate: t.rate,
      limitedRate: t.limitedRate,
      limitedShare: t.limitedShare,
      ...extra,
    });
  }

  private base(type: RateLimitEventType, r: RateLimitRuleState | CompiledRule, now: number) {
    const row = 'key' in r ? r : undefined;
    return {
      type,
      at: wallTime(now),
      socket: r.socket,
      rule: r.name,
      ruleId: r.id,
      pattern: r.pattern,
      key: row?.key ?? (r as CompiledRule).keyKind,
      limit: r.limit,
      perMs: r.perMs,
      burst: r.burst,
      action: r.action,
      shadow: r.shadow,
    };
  }

  /** The registry's rows, one per rule id (rows sharing an id are summed). */
  private rows(): RateLimitRuleState[] {
    const byId = new Map<string, RateLimitRuleState>();
    for (const row of this.registry.list()) {
      const same = byId.get(row.id);
      if (same === undefined) {
        byId.set(row.id, row);
        continue;
      }
      byId.set(row.id, {
        ...same,
        admitted: same.admitted + row.admitted,
        shadowLimited: same.shadowLimited + row.shadowLimited,
        limited: {
          drop: same.limited.drop + row.limited.drop,
          pause: same.limited.pause + row.limited.pause,
          reject: same.limited.reject + row.limited.reject,
        },
      });
    }
    return [...byId.values()];
  }

  private track(row: RateLimitRuleState, fromNow: boolean): RuleTrack {
    return {
      row,
      admitted: fromNow ? row.admitted : 0,
      limited: fromNow ? limitedOf(row) : 0,
      rate: 0,
      limitedRate: 0,
      limitedShare: 0,
      since: undefined,
      lastLimitedAt: 0,
      episodeLimited: 0,
      highSince: undefined,
      sustained: false,
      near: false,
      belowSince: undefined,
    };
  }
}
