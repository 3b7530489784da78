import type { AdmissionGate } from '@sluice/rate-limit';
import { splitBatch, splitEventBatch } from '../wire/frame-check.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';
import { SocketKind } from '../zmq.constants.js';
import { type OnMessage, readLoop, type ReadLoopHooks } from './read-loop.js';
import type { SocketStats } from './server-stats.js';

/** The request header of a request split out of a batch: same bytes, its own object. */
export const BATCHED_REQUEST = Buffer.from(HEADERS[MessageKind.Request]);

/** Async admission decisions a socket without pause rules may await at once. */
const MAX_PENDING_DECISIONS = 64;

/**
 * Starts a socket's reader loop with what depends on the socket's kind: which batches it splits
 * (requests on the ROUTER, events on the PULL; both only ever come from Sluice clients) and how
 * many async admission decisions it may await at once.
 */
export function startReading(
  socket: { readonly closed: boolean; receive(): Promise<Buffer[]> },
  kind: SocketKind,
  stats: SocketStats,
  gate: AdmissionGate | undefined,
  onMessage: OnMessage,
  hooks: Omit<ReadLoopHooks, 'split'>,
): void {
  const split: ReadLoopHooks['split'] =
    kind === SocketKind.Router
      ? (frames) => splitBatch(frames, BATCHED_REQUEST)
      : kind === SocketKind.Pull
        ? (frames) => splitEventBatch(frames, HEADERS[MessageKind.Event])
        : undefined;
  void readLoop(socket, stats, onMessage, { ...hooks, split }, decisionWindow(gate));
}

/**
 * One round trip per message to a shared store (Redis) would cap a socket at a few thousand
 * messages per second, so a socket awaits several decisions at once; a socket with a pause rule
 * awaits each one, since a pause must hold everything behind it.
 */
function decisionWindow(gate: AdmissionGate | undefined): number {
  if (gate === undefined || gate.store.synchronous === true) return 1;
  return gate.rules().some((rule) => rule.action === 'pause') ? 1 : MAX_PENDING_DECISIONS;
}
