import type { Registry } from 'prom-client';

/** When a server is degraded or down; every field has a default (health.constants.ts). */
export interface ZmqHealthRules {
  /** Window of the rates and of the limited share, in ms. Default 10 000. */
  windowMs?: number;
  /**
   * Degraded when refused / (admitted + refused) over the window exceeds this, refused being
   * dropped + rejected (pauses have `maxPauseMs`). Default 0.2.
   */
  maxLimitedShare?: number;
  /** The share is judged only with at least this many messages in the window. Default 20. */
  minMessages?: number;
  /** Degraded when a socket has been paused continuously longer than this, in ms. Default 5 000. */
  maxPauseMs?: number;
  /** Rows of each top list (rules, patterns, peers) in the details. Default 5. */
  topN?: number;
}

export interface ZmqMetricsOptions {
  /** Where the collectors register; prom-client's default `register` unless given. */
  registry?: Registry;
  /** Buckets of `sluice_handler_duration_seconds`, in seconds. */
  durationBuckets?: number[];
  /**
   * Register `ZmqMetricsInterceptor` as a global interceptor (APP_INTERCEPTOR) to time handlers.
   * Default true. In a hybrid app it reaches the microservice only with `inheritAppConfig: true`.
   */
  timeHandlers?: boolean;
}

export interface ZmqHealthModuleOptions extends ZmqHealthRules {
  /** Sampling period of the counters, in ms (one timer for all servers). Default 1 000. */
  sampleEveryMs?: number;
  /**
   * Track every `ZmqServer` of the app, found through Nest's RPC target registry. Default true;
   * set false to choose with `ZmqServers.track(server, name)`.
   */
  autoTrack?: boolean;
  /** Prometheus collectors; `false` registers none. Default: on prom-client's default registry. */
  metrics?: ZmqMetricsOptions | false;
}
