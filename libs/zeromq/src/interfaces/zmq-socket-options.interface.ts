/**
 * ZeroMQ socket options Sluice exposes, under zeromq.js's names. Every one is validated at
 * start-up; the defaults are in zmq.constants.ts and explained in docs/security.md.
 */
export interface ZmqSocketOptions {
  /** Messages queued per peer for sending before the socket's HWM action applies. */
  sendHighWaterMark?: number;
  /** Messages queued per peer for receiving; a full pipe makes ZeroMQ and TCP push back. */
  receiveHighWaterMark?: number;
  /** How long a send may wait at the HWM, in ms, before it fails with EAGAIN (-1: forever). */
  sendTimeout?: number;
  /** Largest message accepted, in bytes; a peer that sends a larger one is disconnected (-1: none). */
  maxMessageSize?: number;
  /** ZMTP heartbeat PING interval in ms (0: off). */
  heartbeatInterval?: number;
  /** Time-to-live the peer is told to use for this connection, in ms. */
  heartbeatTimeToLive?: number;
  /** How long to wait for a PONG before the connection is considered dead, in ms. */
  heartbeatTimeout?: number;
  /** Longest a new connection may take to complete its handshake, in ms (0: no limit). */
  handshakeInterval?: number;
  /** How long unsent messages are kept after close, in ms (0: dropped at once, -1: forever). */
  linger?: number;
  /** First reconnect delay, in ms. */
  reconnectInterval?: number;
  /** Upper bound of the exponential reconnect backoff, in ms (0: no backoff). */
  reconnectMaxInterval?: number;
  /** Queue messages only to completed connections. */
  immediate?: boolean;
  /** Pending connections the listener keeps (tcp backlog). */
  backlog?: number;
}

/** A socket that listens: ROUTER, PULL (server), PUB (client). */
export interface ZmqBindOptions extends ZmqSocketOptions {
  /** One endpoint or several: `tcp://127.0.0.1:5555`, `ipc:///tmp/sluice.sock`, `inproc://name`. */
  bind: string | readonly string[];
}

/** A socket that connects: DEALER, PUSH (client), SUB (server). */
export interface ZmqConnectOptions extends ZmqSocketOptions {
  /** One endpoint or several; ZeroMQ connects in the background and reconnects by itself. */
  connect: string | readonly string[];
}

/** Turns values into body frames and back. JSON by default. */
export interface ZmqSerializer {
  serialize(value: unknown): Buffer | string;
}
export interface ZmqDeserializer {
  deserialize(body: Buffer): unknown;
}
