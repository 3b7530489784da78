import type { PeerEvent } from '../sockets/peer-monitor.js';
import type { MalformedReason } from '../wire/malformed-reason.js';
import type { SocketKind } from '../zmq.constants.js';

/** A message refused by a rate limit, as the `limited` event reports it. */
export interface ZmqLimitedEvent {
  socket: SocketKind;
  action: 'drop' | 'pause' | 'reject';
  /** The sender's routing id as text (ROUTER only). */
  peer?: string;
  pattern: string;
  /** Name of the rule that decided. */
  rule?: string;
}

/** Events a `ZmqServer` reports through `on(event, callback)`. */
export interface ZmqServerEventsMap {
  'peer:connected': (event: PeerEvent) => void;
  'peer:disconnected': (event: PeerEvent) => void;
  malformed: (event: { socket: SocketKind; reason: MalformedReason }) => void;
  /** A message refused by a rate limit (emitted only while someone listens). */
  limited: (event: ZmqLimitedEvent) => void;
  error: (error: unknown) => void;
  [event: string]: (...args: any[]) => void;
}
