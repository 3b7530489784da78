import type { RateLimitAction } from '@sluice/rate-limit';

/** One socket's cumulative counters; the page turns them into rates. */
export interface SocketSnapshot {
  socket: 'router' | 'pull' | 'sub';
  received: number;
  /** Passed admission and reached a handler (or found none). */
  admitted: number;
  /** Refused by a rate limit, all actions. */
  limited: number;
  limitedBy: { drop: number; pause: number; reject: number };
  malformed: number;
  noHandler: number;
  repliesDropped: number;
  /** Reading is stopped right now by a `pause` verdict. */
  paused: boolean;
  /** Total time spent paused, including the pause in progress (ms). */
  pausedMs: number;
  connectedPeers: number;
}

/** One rule of `RateLimitRegistry.list()`, trimmed to what the page shows. */
export interface RuleSnapshot {
  id: string;
  name: string;
  socket: string;
  pattern: string | null;
  scope: 'socket' | 'pattern';
  key: string;
  limit: number;
  perMs: number;
  burst: number;
  action: RateLimitAction | null;
  shadow: boolean;
  admitted: number;
  /** Limited (and shadow-limited) so far. */
  limited: number;
  trackedKeys: number;
  /** Registry's own rates over its last few seconds (messages/s). */
  currentRate: number;
  limitedRate: number;
}

export interface DashboardSnapshot {
  service: string;
  /** Wall clock (ms since the epoch) and monotonic clock (ms) of the snapshot. */
  at: number;
  monotonicMs: number;
  uptimeMs: number;
  listening: boolean;
  inFlight: number;
  sockets: SocketSnapshot[];
  rules: RuleSnapshot[];
  readings: { sensors: number; ingested: number; rejected: number };
}
