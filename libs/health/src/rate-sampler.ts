import type { SocketKind, ZmqServer } from '@sluice/zeromq';
import { PAUSED_SHARE_OF_TICK } from './health.constants.js';
import {
  pausedMsAt,
  type RuleCounters,
  type ServerSnapshot,
  type SocketCounters,
  takeSnapshot,
} from './server-snapshot.js';

/** Counter increases over a window (same shapes as the snapshot, as deltas). */
export interface WindowDelta {
  /** Length of the window actually covered (shorter right after start), in seconds. */
  seconds: number;
  sockets: ServerSnapshot['sockets'];
  rules: ServerSnapshot['rules'];
}

const ZERO_SOCKET: SocketCounters = {
  received: 0,
  admitted: 0,
  drop: 0,
  pause: 0,
  reject: 0,
  malformed: 0,
  pausedMs: 0,
};
const ZERO_RULE: RuleCounters = { admitted: 0, overLimit: 0, shadow: 0 };

/**
 * Rates of one server over a sliding window, from cumulative counters sampled on a timer into a
 * small ring buffer: the hot path keeps bumping plain numbers and nothing here runs per message.
 * Also follows how long each socket has been paused without a break, which the server's own
 * `pausedSince` cannot tell: the reader loop resets it after every wait (at most 1 s) and every
 * message, so a socket throttled for a minute shows a `pausedSince` never older than a second.
 */
export class RateSampler {
  private readonly ring: Array<ServerSnapshot | undefined>;
  private next = 0;
  private readonly pauseStart: Partial<Record<SocketKind, number>> = {};

  constructor(
    private readonly server: ZmqServer,
    readonly windowMs: number,
    sampleEveryMs: number,
  ) {
    // One sample older than the window is kept, so a full window can always be measured.
    this.ring = Array.from({ length: Math.ceil(windowMs / sampleEveryMs) + 2 }, () => undefined);
  }

  /** Takes one sample; called by the single timer of `ZmqServers`. */
  tick(now: number = performance.now()): void {
    const previous = this.newest();
    const current = takeSnapshot(this.server, now);
    this.ring[this.next] = current;
    this.next = (this.next + 1) % this.ring.length;
    if (previous === undefined) return;
    const dt = current.t - previous.t;
    for (const [kind, counters] of Object.entries(current.sockets) as Array<
      [SocketKind, SocketCounters]
    >) {
      const pausedInTick = counters.pausedMs - (previous.sockets[kind]?.pausedMs ?? 0);
      const pausedSince = this.server.stats.sockets[kind].pausedSince;
      if (dt > 0 && pausedInTick >= PAUSED_SHARE_OF_TICK * dt) {
        // Paused (almost) all tick long: the streak goes on, or began when this pause did.
        this.pauseStart[kind] ??= current.t - pausedInTick;
      } else if (pausedSince !== undefined) {
        this.pauseStart[kind] = pausedSince;
      } else {
        delete this.pauseStart[kind];
      }
    }
  }

  /** Counter increases from the newest sample at least `windowMs` old (or the oldest) to now. */
  window(now: number = performance.now()): WindowDelta {
    const current = takeSnapshot(this.server, now);
    const base = this.baseFor(now) ?? current;
    const sockets: WindowDelta['sockets'] = {};
    for (const [kind, cur] of Object.entries(current.sockets) as Array<
      [SocketKind, SocketCounters]
    >) {
      sockets[kind] = minus(cur, base.sockets[kind] ?? ZERO_SOCKET);
    }
    const rules: WindowDelta['rules'] = new Map();
    for (const [rule, cur] of current.rules) {
      const old = base.rules.get(rule) ?? ZERO_RULE;
      rules.set(rule, {
        admitted: cur.admitted - old.admitted,
        overLimit: cur.overLimit - old.overLimit,
        shadow: cur.shadow - old.shadow,
      });
    }
    return { seconds: Math.max(0, (now - base.t) / 1000), sockets, rules };
  }

  /** Since when (performance.now() ms) `socket` has been paused without a break, or undefined. */
  pausedSince(socket: SocketKind, now: number = performance.now()): number | undefined {
    const stats = this.server.stats.sockets[socket];
    const start = this.pauseStart[socket];
    if (start !== undefined) {
      if (stats.pausedSince !== undefined) return start;
      // Between two waits right now: still the same streak if the time since the last tick was paused.
      const last = this.newest();
      const dt = last === undefined ? 0 : now - last.t;
      const paused = pausedMsAt(stats, now) - (last?.sockets[socket]?.pausedMs ?? 0);
      if (dt <= 0 || paused >= PAUSED_SHARE_OF_TICK * dt) return start;
    }
    return stats.pausedSince;
  }

  private newest(): ServerSnapshot | undefined {
    return this.ring[(this.next + this.ring.length - 1) % this.ring.length];
  }

  private baseFor(now: number): ServerSnapshot | undefined {
    let oldest: ServerSnapshot | undefined;
    let base: ServerSnapshot | undefined;
    for (const sample of this.ring) {
      if (sample === undefined) continue;
      if (oldest === undefined || sample.t < oldest.t) oldest = sample;
      if (now - sample.t >= this.windowMs && (base === undefined || sample.t > base.t)) {
        base = sample;
      }
    }
    return base ?? oldest;
  }
}

function minus(a: SocketCounters, b: SocketCounters): SocketCounters {
  return {
    received: a.received - b.received,
    admitted: a.admitted - b.admitted,
    drop: a.drop - b.drop,
    pause: a.pause - b.pause,
    reject: a.reject - b.reject,
    malformed: a.malformed - b.malformed,
    pausedMs: a.pausedMs - b.pausedMs,
  };
}
