import type { ZmqSocketOptions } from './interfaces/zmq-socket-options.interface.js';

/**
 * Safe defaults, set on every socket unless overridden (docs/security.md explains each bound).
 * Worst-case buffered input per socket ≈ peers × receiveHighWaterMark × maxMessageSize.
 */
const COMMON: ZmqSocketOptions = {
  sendHighWaterMark: 1000,
  receiveHighWaterMark: 1000,
  maxMessageSize: 1024 * 1024,
  heartbeatInterval: 10_000,
  heartbeatTimeToLive: 30_000,
  heartbeatTimeout: 30_000,
  handshakeInterval: 5_000,
  linger: 1_000,
  reconnectInterval: 100,
  reconnectMaxInterval: 5_000,
};

/**
 * The ROUTER replies with `mandatory` set and a zero send timeout: a reply to a peer that stopped
 * reading (at its HWM) or vanished fails at once and is counted, instead of blocking the single
 * writer and with it the replies of every other peer.
 */
export const DEFAULT_ROUTER_OPTIONS: ZmqSocketOptions = {
  ...COMMON,
  sendTimeout: 0,
};
export const DEFAULT_PULL_OPTIONS: ZmqSocketOptions = { ...COMMON };
export const DEFAULT_SUB_OPTIONS: ZmqSocketOptions = { ...COMMON };

/** Client sockets wait at the HWM (that is the pushback), but never forever. */
export const DEFAULT_CLIENT_SOCKET_OPTIONS: ZmqSocketOptions = {
  ...COMMON,
  sendTimeout: 10_000,
};

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export const SocketKind = {
  Router: 'router',
  Pull: 'pull',
  Sub: 'sub',
} as const;
export type SocketKind = (typeof SocketKind)[keyof typeof SocketKind];

/** Statuses published on `ZmqServer.status` and `ZmqClient.status`. */
export const ZmqStatus = {
  Listening: 'listening',
  Connected: 'connected',
  Closing: 'closing',
  Closed: 'closed',
} as const;
export type ZmqStatus = (typeof ZmqStatus)[keyof typeof ZmqStatus];

/** Events for `on(event, callback)`. */
export const ZmqEvent = {
  PeerConnected: 'peer:connected',
  PeerDisconnected: 'peer:disconnected',
  Malformed: 'malformed',
  Error: 'error',
  /** A connection refused at the CURVE handshake (key not on the allow-list). */
  AuthRefused: 'auth:refused',
} as const;
export type ZmqEvent = (typeof ZmqEvent)[keyof typeof ZmqEvent];
