import { Logger, type LoggerService } from '@nestjs/common';
import type { CompiledRule } from './compiled-rule.js';
import type { RateLimitAction } from './rate-limit.interfaces.js';

export interface RateLimitLogOptions {
  /** At most one summary line per key (socket + rule + peer) per interval. Default 10 s. */
  intervalMs?: number;
  /**
   * Keys remembered at once. When full, a new peer is counted in its rule's `peer=(other)`
   * key instead of getting its own. Default 10 000.
   */
  maxKeys?: number;
}

export const DEFAULT_RATE_LIMIT_LOG_INTERVAL_MS = 10_000;
export const DEFAULT_RATE_LIMIT_LOG_MAX_KEYS = 10_000;
/** Shown as `peer=` for the aggregate of the peers that found the key table full. */
export const OTHER_PEERS = '(other)';

/** One sampled key: what has happened since its last line. */
interface KeyState {
  socket: string;
  peer: string | undefined;
  action: RateLimitAction;
  /** Limited messages since the last line. */
  count: number;
  /** When the last line of this key was written (ms, the `now` clock). */
  lineAt: number;
  /** Newest limited message counted (ms, the `now` clock). */
  lastAt: number;
}

interface RuleKeys {
  peers: Map<string, KeyState>;
  /** Peers that arrived while the table was full. */
  other: KeyState | undefined;
}

/** `1000` → `1s`, `60000` → `60s`, `1500` → `1.5s`, `250` → `250ms`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Math.round(ms / 100) / 10}s`;
}

/** A value of a `key=value` line: quoted (JSON) when it holds a space, `=` or `"`, or is empty. */
function field(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  return /^[^\s="]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * Sampled log of rate-limited messages, written through a Nest logger (context `RateLimit`):
 *
 * ```
 * rate limited: socket=router rule=peer limit=5/1s burst=5 action=reject peer=ab12 count=1 at=2026-…Z
 * rate limited: socket=router rule=peer limit=5/1s burst=5 action=reject peer=ab12 count=1234 in 10s at=2026-…Z
 * ```
 *
 * The first limited message of a key (socket + rule + peer) is logged at once; after that a
 * key writes at most one summary per interval, with the count since its previous line. The
 * summary is written by the next limited message of the key once the interval has passed, or
 * by the one flush timer (unref'd, runs only while keys are remembered) so that a key that
 * stops still gets its final line; `close()` writes every pending count.
 *
 * `limited()` is the transport's hot call: two Map lookups and an increment unless a line is
 * due. `now` is a monotonic clock in ms (`performance.now()`, as passed to `AdmissionGate.admit`);
 * `at=` converts it to wall time.
 */
export class RateLimitLog {
  readonly intervalMs: number;
  readonly maxKeys: number;
  private readonly byRule = new Map<CompiledRule, RuleKeys>();
  /** Peer keys remembered, over all rules (the `(other)` keys are not counted). */
  private size = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly logger: LoggerService = new Logger('RateLimit'),
    options: RateLimitLogOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_RATE_LIMIT_LOG_INTERVAL_MS;
    this.maxKeys = options.maxKeys ?? DEFAULT_RATE_LIMIT_LOG_MAX_KEYS;
    if (!(this.intervalMs > 0)) {
      throw new RangeError(`RateLimitLog intervalMs must be > 0 (got ${this.intervalMs})`);
    }
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 0) {
      throw new RangeError(
        `RateLimitLog maxKeys must be a non-negative integer (got ${this.maxKeys})`,
      );
    }
  }

  /** Keys remembered right now (peer keys plus `(other)` keys). */
  get keys(): number {
    let n = this.size;
    for (const keys of this.byRule.values()) if (keys.other !== undefined) n++;
    return n;
  }

  /**
   * Records one limited message. `rule` is the rule that decided (`AdmissionGate.rule`),
   * `action` what the message actually got, `peer` the sender when the transport knows it.
   */
  limited(
    socket: string,
    rule: CompiledRule,
    action: RateLimitAction,
    peer: string | undefined,
    now: number = performance.now(),
  ): void {
    let keys = this.byRule.get(rule);
    if (keys === undefined) {
      keys = { peers: new Map(), other: undefined };
      this.byRule.set(rule, keys);
    }
    let state = keys.peers.get(peer ?? '');
    if (state === undefined) {
      if (this.size < this.maxKeys) {
        this.size++;
        keys.peers.set(peer ?? '', this.first(socket, rule, action, peer, now));
        return;
      }
      state = keys.other;
      if (state === undefined) {
        keys.other = this.first(socket, rule, action, OTHER_PEERS, now);
        return;
      }
    }
    state.count++;
    state.action = action;
    state.lastAt = now;
    if (now - state.lineAt >= this.intervalMs) this.write(rule, state, now);
  }

  /**
   * Writes the summary of every key whose interval has passed and forgets keys idle for a
   * whole interval. The flush timer calls it; stops the timer when nothing is left.
   */
  flush(now: number = performance.now()): void {
    for (const [rule, keys] of this.byRule) {
      for (const [peer, state] of keys.peers) {
        if (this.due(rule, state, now)) {
          keys.peers.delete(peer);
          this.size--;
        }
      }
      if (keys.other !== undefined && this.due(rule, keys.other, now)) keys.other = undefined;
      if (keys.peers.size === 0 && keys.other === undefined) this.byRule.delete(rule);
    }
    if (this.byRule.size === 0) this.stopTimer();
  }

  /** Writes every pending count now, forgets all keys and stops the timer. */
  close(now: number = performance.now()): void {
    for (const [rule, keys] of this.byRule) {
      for (const state of keys.peers.values()) {
        if (state.count > 0) this.write(rule, state, now);
      }
      if (keys.other !== undefined && keys.other.count > 0) this.write(rule, keys.other, now);
    }
    this.byRule.clear();
    this.size = 0;
    this.stopTimer();
  }

  /** Flush step of one key: writes a due summary; true when the key is idle and can go. */
  private due(rule: CompiledRule, state: KeyState, now: number): boolean {
    if (now - state.lineAt < this.intervalMs) return false;
    if (state.count === 0) return true;
    this.write(rule, state, now);
    return false;
  }

  private first(
    socket: string,
    rule: CompiledRule,
    action: RateLimitAction,
    peer: string | undefined,
    now: number,
  ): KeyState {
    const state: KeyState = { socket, peer, action, count: 1, lineAt: now, lastAt: now };
    this.write(rule, state, now, true);
    this.timer ??= this.startTimer();
    return state;
  }

  private write(rule: CompiledRule, state: KeyState, now: number, first = false): void {
    const pattern = rule.pattern === undefined ? '' : ` pattern=${field(rule.pattern)}`;
    const window = first ? '' : ` in ${formatMs(now - state.lineAt)}`;
    const at = new Date(performance.timeOrigin + state.lastAt).toISOString();
    this.logger.warn(
      `rate limited: socket=${field(state.socket)} rule=${field(rule.name)}${pattern} ` +
        `limit=${rule.limit}/${formatMs(rule.perMs)} burst=${rule.burst} action=${state.action} ` +
        `peer=${field(state.peer)} count=${state.count}${window} at=${at}`,
    );
    state.count = 0;
    state.lineAt = now;
  }

  private startTimer(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => this.flush(), this.intervalMs);
    timer.unref();
    return timer;
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
