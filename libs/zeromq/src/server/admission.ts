import {
  type AdmissionDetails,
  type AdmissionGate,
  rateLimitedError,
  type RateLimitLog,
  Verdict,
} from '@sluice/rate-limit';
import type { SocketKind } from '../zmq.constants.js';
import type { ReplyWriter } from './reply-writer.js';
import type { TransportEvents } from '../sockets/transport-events.js';
import type { ServerStats } from './server-stats.js';
import { peerToString } from './zmq.context.js';

/** `check` returns this when the message may go on; otherwise a pause in ms (0: refused, done). */
export const ADMITTED = -1;

/** Upper bound of one pause, whatever the limiter computes: the reader re-checks after it. */
const MAX_PAUSE_MS = 1_000;

/**
 * Rate limits on the hot path, before the body is parsed: every rule of the socket and of the
 * pattern at once, then drop, pause or reject, each counted, logged (sampled) and reported.
 */
export class Admission {
  constructor(
    private readonly stats: ServerStats,
    private readonly events: TransportEvents,
    private readonly log: RateLimitLog,
    private readonly replies: () => ReplyWriter | undefined,
  ) {}

  /**
   * A memory store decides synchronously. An async store (shared budgets) is awaited by the
   * reader loop, and its details come back in an object of their own.
   */
  check(
    socket: SocketKind,
    gate: AdmissionGate,
    pattern: string,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number | Promise<number> {
    const peer = gate.hasPeerRules ? peerToString(routingId) : undefined;
    if (gate.store.synchronous === true) {
      const verdict = gate.admit(pattern, peer, performance.now()) as Verdict;
      if (verdict === Verdict.Admit) return ADMITTED;
      return this.refuse(socket, verdict, gate, pattern, peer, routingId, id);
    }
    const details: AdmissionDetails = { waitMs: 0, rule: undefined };
    const decided = gate.admit(pattern, peer, performance.now(), details) as Promise<Verdict>;
    return decided.then((verdict) =>
      verdict === Verdict.Admit
        ? ADMITTED
        : this.refuse(socket, verdict, details, pattern, peer, routingId, id),
    );
  }

  private refuse(
    socket: SocketKind,
    verdict: Verdict,
    { waitMs, rule }: AdmissionDetails,
    pattern: string,
    peer: string | undefined,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number {
    // A reject needs a reply path: an event (no id) over the ROUTER is dropped instead.
    const action =
      verdict === Verdict.Pause ? 'pause' : verdict === Verdict.Reject && id ? 'reject' : 'drop';
    this.stats.sockets[socket].limited[action]++;
    // Only refused messages pay for naming their peer: the log and the top-peers table need it.
    peer ??= peerToString(routingId);
    if (rule) this.log.limited(socket, rule, action, peer);
    if (this.events.has('limited')) {
      this.events.emit('limited', { socket, action, peer, pattern, rule: rule?.name });
    }
    if (action === 'pause') return Math.min(MAX_PAUSE_MS, Math.max(1, Math.ceil(waitMs)));
    if (action === 'reject') {
      const error = rateLimitedError(rule?.name ?? 'rate-limit', waitMs);
      this.replies()?.error(routingId!, id!, error);
    }
    return 0;
  }
}
