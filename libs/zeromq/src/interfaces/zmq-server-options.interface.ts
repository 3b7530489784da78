import type { RateLimitRegistry } from '@sluice/rate-limit';
import type { ZmqCurveServerOptions } from './zmq-curve-options.interface.js';
import type {
  ZmqBindOptions,
  ZmqConnectOptions,
  ZmqDeserializer,
  ZmqSerializer,
} from './zmq-socket-options.interface.js';

export interface ZmqSubOptions extends ZmqConnectOptions {
  /** Topic prefixes to subscribe to; the topic is the event pattern. Default: every topic. */
  topics?: readonly string[];
}

export interface ZmqServerOptions {
  /** ROUTER socket serving `@MessagePattern` handlers (and events sent over a DEALER). */
  router?: ZmqBindOptions;
  /** PULL socket serving `@EventPattern` handlers. */
  pull?: ZmqBindOptions;
  /** SUB socket serving `@EventPattern` handlers from publishers. */
  sub?: ZmqSubOptions;
  /** Body codec for request data and events; JSON by default. */
  deserializer?: ZmqDeserializer;
  /** Body codec for replies; JSON by default. */
  serializer?: ZmqSerializer;
  /** Longest pattern accepted, in bytes. Default 1024. */
  maxPatternBytes?: number;
  /** How long `close()` waits for in-flight handlers before closing the sockets, in ms. Default 5000. */
  drainTimeout?: number;
  /**
   * Rate limits to enforce. Optional: `RateLimitModule.forRoot()` in the app attaches its
   * registry to every ZmqServer by itself. Give one here to use limits without the module
   * (e.g. from a microservice `useFactory` with `inject: [RateLimitRegistry]`).
   */
  rateLimits?: RateLimitRegistry;
  /**
   * CURVE encryption and client authentication on every socket of this server: the server key
   * pair and the allow-list of client keys (docs/security.md). Off by default.
   */
  curve?: ZmqCurveServerOptions;
}
