import type { RetryOnRateLimitOptions } from '../client/retry-after-backoff.js';
import type { ZmqCurveClientOptions } from './zmq-curve-options.interface.js';
import type {
  ZmqBindOptions,
  ZmqConnectOptions,
  ZmqDeserializer,
  ZmqSerializer,
} from './zmq-socket-options.interface.js';

export interface ZmqClientOptions {
  /** DEALER socket for `send()` (request/response); also carries `emit()` when no push or pub is set. */
  dealer?: ZmqConnectOptions;
  /** PUSH socket for `emit()`: each event goes to one server (round robin). */
  push?: ZmqConnectOptions;
  /** PUB socket for `emit()`: every subscribed server gets each event (takes precedence over push). */
  pub?: ZmqBindOptions;
  /** Default time a request may take, in ms, before it fails with a timeout error. Default 30000; 0 disables. */
  timeout?: number;
  /**
   * Honour the server's RATE_LIMITED replies: retry after `retryAfterMs` (bounded) and hold
   * further requests of that pattern meanwhile. Off by default: the caller sees the error.
   */
  retryOnRateLimit?: boolean | RetryOnRateLimitOptions;
  /** Body codec for request data and events; JSON by default. */
  serializer?: ZmqSerializer;
  /** Body codec for replies; JSON by default. */
  deserializer?: ZmqDeserializer;
  /**
   * CURVE encryption on every socket of this client: the server's public key and this client's
   * key pair; the routing id becomes the client's public key (docs/security.md). Off by default.
   */
  curve?: ZmqCurveClientOptions;
}
