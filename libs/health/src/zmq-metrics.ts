import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { SocketKind } from '@sluice/zeromq';
import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';
import { DEFAULT_DURATION_BUCKETS, ZMQ_HEALTH_OPTIONS } from './health.constants.js';
import { COLLECTORS, type CollectorSpec } from './metric-collectors.js';
import type { ZmqHealthModuleOptions } from './zmq-health-options.interface.js';
import { ZmqServers } from './zmq-servers.js';

export const HANDLER_DURATION_METRIC = 'sluice_handler_duration_seconds';

/** Every metric name this library registers (docs/operating.md describes each). */
export const ZMQ_METRIC_NAMES: readonly string[] = [
  ...COLLECTORS.map((c) => c.name),
  HANDLER_DURATION_METRIC,
];

/**
 * Prometheus collectors over the transport's counters, on the given registry (prom-client's
 * default `register`, the one @willsoto/nestjs-prometheus serves, unless `metrics.registry`).
 * Values are read when the registry is scraped (`collect`), so the hot path does nothing for
 * metrics; only the handler duration histogram is fed per message, by `ZmqMetricsInterceptor`,
 * which Nest's pipeline runs around each handler anyway. Several tracked servers are summed;
 * never a peer id label: that is what the health details' top-N table is for.
 */
@Injectable()
export class ZmqMetrics implements OnModuleDestroy {
  readonly registry: Registry;
  readonly handlerDuration: Histogram<'socket' | 'pattern'>;
  private readonly names: string[] = [];

  constructor(
    private readonly servers: ZmqServers,
    @Optional() @Inject(ZMQ_HEALTH_OPTIONS) options: ZmqHealthModuleOptions = {},
  ) {
    const metricsOptions = options.metrics === false ? {} : (options.metrics ?? {});
    this.registry = metricsOptions.registry ?? register;
    for (const name of ZMQ_METRIC_NAMES) {
      if (this.registry.getSingleMetric(name) !== undefined) {
        throw new Error(
          `ZmqMetrics: '${name}' is already registered on this registry (two ZmqHealthModule ` +
            'instances, or an app not closed?). Give each its own prom-client Registry.',
        );
      }
    }
    for (const spec of COLLECTORS) this.define(spec);
    this.handlerDuration = new Histogram({
      name: HANDLER_DURATION_METRIC,
      help: 'Time from dispatch to the last reply (requests) or the end of the handler (events).',
      labelNames: ['socket', 'pattern'],
      buckets: metricsOptions.durationBuckets ?? DEFAULT_DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.names.push(HANDLER_DURATION_METRIC);
  }

  /** Records one handler run (called by `ZmqMetricsInterceptor`). */
  observeHandler(socket: SocketKind, pattern: string, seconds: number): void {
    this.handlerDuration.observe({ socket, pattern }, seconds);
  }

  onModuleDestroy(): void {
    // Lets a new app in the same process (tests, hot reload) register the names again.
    for (const name of this.names.splice(0)) this.registry.removeSingleMetric(name);
  }

  private define(spec: CollectorSpec): void {
    const servers = this.servers;
    const config = { name: spec.name, help: spec.help, labelNames: spec.labelNames };
    // Reset and refill on each scrape: the values are the transport's own counters.
    if (spec.type === 'counter') {
      new Counter({
        ...config,
        registers: [this.registry],
        collect() {
          this.reset();
          spec.collect(servers.list(), (labels, value) => this.inc(labels, value));
        },
      });
    } else {
      new Gauge({
        ...config,
        registers: [this.registry],
        collect() {
          this.reset();
          spec.collect(servers.list(), (labels, value) => this.inc(labels, value));
        },
      });
    }
    this.names.push(spec.name);
  }
}
