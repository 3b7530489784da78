import type { SocketKind } from '@sluice/zeromq';
import {
  DEFAULT_MAX_LIMITED_SHARE,
  DEFAULT_MAX_PAUSE_MS,
  DEFAULT_MIN_MESSAGES,
  DEFAULT_TOP_N,
  DEFAULT_WINDOW_MS,
} from './health.constants.js';
import type { ZmqHealthRules } from './zmq-health-options.interface.js';

export type ZmqHealthStatus = 'up' | 'degraded' | 'down';

/** What the rules look at for one socket: numbers over the window, the pause under way. */
export interface SocketFacts {
  socket: SocketKind;
  /** False when the socket is closed while the server should be listening. */
  open: boolean;
  admitted: number;
  /** Refused over the window: dropped + rejected (a paused message is delayed, not refused). */
  limited: number;
  /** How long the socket has been paused without a break (ms), 0 when reading. */
  pausedForMs: number;
}

export interface ServerFacts {
  listening: boolean;
  sockets: SocketFacts[];
}

export interface StatusVerdict {
  status: ZmqHealthStatus;
  /** Why the status is not up, one sentence per broken rule (empty when up). */
  reasons: string[];
}

export function resolveRules(rules: ZmqHealthRules = {}): Required<ZmqHealthRules> {
  const resolved = {
    windowMs: rules.windowMs ?? DEFAULT_WINDOW_MS,
    maxLimitedShare: rules.maxLimitedShare ?? DEFAULT_MAX_LIMITED_SHARE,
    minMessages: rules.minMessages ?? DEFAULT_MIN_MESSAGES,
    maxPauseMs: rules.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS,
    topN: rules.topN ?? DEFAULT_TOP_N,
  };
  const bad = (what: string) => new RangeError(`ZmqHealth option ${what}`);
  if (!(resolved.windowMs > 0)) throw bad(`windowMs must be > 0 (got ${resolved.windowMs})`);
  if (!(resolved.maxLimitedShare >= 0 && resolved.maxLimitedShare <= 1))
    throw bad(`maxLimitedShare must be within 0..1 (got ${resolved.maxLimitedShare})`);
  if (!(resolved.minMessages >= 0)) throw bad(`minMessages must be >= 0`);
  if (!(resolved.maxPauseMs >= 0)) throw bad(`maxPauseMs must be >= 0`);
  if (!Number.isInteger(resolved.topN) || resolved.topN < 1)
    throw bad(`topN must be a positive integer (got ${resolved.topN})`);
  return resolved;
}

/** Share of limited messages among those admission decided on (0 when none). */
export function limitedShare(admitted: number, limited: number): number {
  const total = admitted + limited;
  return total === 0 ? 0 : limited / total;
}

const SEVERITY: Record<ZmqHealthStatus, number> = { up: 0, degraded: 1, down: 2 };

export function worst(a: ZmqHealthStatus, b: ZmqHealthStatus): ZmqHealthStatus {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

/**
 * The status rules, in order of severity:
 * - down: the server is not listening (not started, failed, closing or closed), or one of its
 *   sockets is closed under it. Nothing is served: take the instance out of rotation.
 * - degraded: sustained throttling (share of refused messages, dropped or rejected, over the
 *   window above `maxLimitedShare`, with at least `minMessages` decided), or a socket paused without a break for longer than
 *   `maxPauseMs`. Still serving, at the limits: HTTP 200, but alert.
 * - up otherwise.
 */
export function judgeServer(facts: ServerFacts, rules: Required<ZmqHealthRules>): StatusVerdict {
  if (!facts.listening) return { status: 'down', reasons: ['server is not listening'] };
  const closed = facts.sockets.filter((s) => !s.open).map((s) => s.socket);
  if (closed.length > 0) {
    return { status: 'down', reasons: [`socket(s) closed: ${closed.join(', ')}`] };
  }
  const reasons: string[] = [];
  const windowS = rules.windowMs / 1000;
  for (const s of facts.sockets) {
    const total = s.admitted + s.limited;
    const share = limitedShare(s.admitted, s.limited);
    if (total >= rules.minMessages && share > rules.maxLimitedShare) {
      reasons.push(
        `${s.socket}: ${percent(share)} of ${total} messages limited over the last ${windowS} s ` +
          `(threshold ${percent(rules.maxLimitedShare)})`,
      );
    }
    if (s.pausedForMs > rules.maxPauseMs) {
      reasons.push(
        `${s.socket}: paused for ${(s.pausedForMs / 1000).toFixed(1)} s without a break ` +
          `(threshold ${rules.maxPauseMs / 1000} s)`,
      );
    }
  }
  return { status: reasons.length > 0 ? 'degraded' : 'up', reasons };
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
