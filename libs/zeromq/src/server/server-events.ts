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

/**
 * A tiny typed emitter. Unlike Node's EventEmitter, an 'error' with no listener is not thrown:
 * the transport must never crash because nobody subscribed.
 */
export class ServerEvents {
  private readonly listeners = new Map<string, Set<(...args: any[]) => void>>();

  on(event: string, callback: (...args: any[]) => void): void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(callback);
  }

  has(event: string): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit(event: string, ...args: unknown[]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const callback of set) {
      try {
        callback(...args);
      } catch {
        // A listener's failure is its own; the transport goes on.
      }
    }
  }
}
