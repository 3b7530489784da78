import { MALFORMED_REASONS, type MalformedReason } from '../wire/malformed-reason.js';
import { InFlight } from './in-flight.js';
import type { SocketKind } from '../zmq.constants.js';

/** Plain counters per socket, bumped on the hot path and read by health, metrics and tests. */
export class SocketStats {
  received = 0;
  /** Batch messages received (each carried several of the requests counted in `received`). */
  batches = 0;
  handled = 0;
  noHandler = 0;
  repliesDropped = 0;
  /** Messages refused by a rate limit, by the action they got. */
  readonly limited = { drop: 0, pause: 0, reject: 0 };
  /** Since when reading is paused by a rate limit (performance.now() ms), or undefined. */
  pausedSince: number | undefined = undefined;
  /** Total time spent paused, in ms. */
  pausedMs = 0;
  /** Most async admission decisions (a shared store) awaited at once on this socket. */
  peakPendingDecisions = 0;
  readonly malformed: Record<MalformedReason, number> = Object.fromEntries(
    MALFORMED_REASONS.map((reason) => [reason, 0]),
  ) as Record<MalformedReason, number>;

  get malformedTotal(): number {
    let total = 0;
    for (const reason of MALFORMED_REASONS) total += this.malformed[reason];
    return total;
  }
}

export class ServerStats {
  readonly sockets: Record<SocketKind, SocketStats> = {
    router: new SocketStats(),
    pull: new SocketStats(),
    sub: new SocketStats(),
  };
  /** Requests and events whose handlers have not settled. */
  readonly pending = new InFlight();

  get inFlight(): number {
    return this.pending.count;
  }
}
