import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ZMQ_HEALTH_OPTIONS } from './health.constants.js';
import { ZmqClientHealthIndicator } from './zmq-client-health.indicator.js';
import type { ZmqHealthModuleOptions } from './zmq-health-options.interface.js';
import { ZmqHealthConfigurableModule } from './zmq-health.module-definition.js';
import { ZmqHealthIndicator } from './zmq-health.indicator.js';
import { ZmqMetricsInterceptor } from './zmq-metrics.interceptor.js';
import { ZmqMetrics } from './zmq-metrics.js';
import { ZmqServers } from './zmq-servers.js';

/**
 * `ZmqHealthModule.forRoot({...})` / `forRootAsync({ imports, inject, useFactory })`, global by
 * default. Tracks every ZmqServer of the app (`ZmqServers`), and provides the terminus
 * indicators (`ZmqHealthIndicator`, `ZmqClientHealthIndicator`) and the Prometheus collectors
 * (`ZmqMetrics`, null with `metrics: false`) with a global interceptor timing handlers.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    ZmqServers,
    ZmqHealthIndicator,
    ZmqClientHealthIndicator,
    {
      provide: ZmqMetrics,
      inject: [ZmqServers, ZMQ_HEALTH_OPTIONS],
      useFactory: (servers: ZmqServers, options: ZmqHealthModuleOptions) =>
        options.metrics === false ? null : new ZmqMetrics(servers, options),
    },
    ZmqMetricsInterceptor,
    { provide: APP_INTERCEPTOR, useExisting: ZmqMetricsInterceptor },
  ],
  exports: [
    ZmqServers,
    ZmqHealthIndicator,
    ZmqClientHealthIndicator,
    ZmqMetrics,
    ZmqMetricsInterceptor,
    ZMQ_HEALTH_OPTIONS,
  ],
})
export class ZmqHealthModule extends ZmqHealthConfigurableModule {}
