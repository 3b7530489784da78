import type { Socket } from 'zeromq';

export interface PeerEvent {
  socket: string;
  address: string;
}

/**
 * Counts a socket's live connections from its monitor events (accept/connect vs disconnect).
 * ZeroMQ events carry an address, never a routing id, so this is connections, not identities.
 */
export class PeerMonitor {
  connected = 0;

  constructor(
    socket: Socket,
    readonly name: string,
    private readonly emit: (
      event: 'peer:connected' | 'peer:disconnected',
      payload: PeerEvent,
    ) => void,
  ) {
    const events = socket.events;
    const up = (e: { address: string }) => {
      this.connected++;
      this.emit('peer:connected', { socket: this.name, address: e.address });
    };
    events.on('accept', up);
    events.on('connect', up);
    events.on('disconnect', (e) => {
      this.connected = Math.max(0, this.connected - 1);
      this.emit('peer:disconnected', { socket: this.name, address: e.address });
    });
  }
}
