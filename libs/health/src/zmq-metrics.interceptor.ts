import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { ZmqContext } from '@sluice/zeromq';
import { finalize, type Observable } from 'rxjs';
import { OTHER_PATTERN, ZMQ_HEALTH_OPTIONS } from './health.constants.js';
import type { ZmqHealthModuleOptions } from './zmq-health-options.interface.js';
import { ZmqMetrics } from './zmq-metrics.js';
import { ZmqServers } from './zmq-servers.js';

/**
 * Times ZeroMQ handlers into `sluice_handler_duration_seconds`: from the moment Nest's pipeline
 * reaches the interceptor to the completion, error or unsubscription of the handler's stream
 * (the last reply of a streamed response). Other contexts (HTTP, other transports) pass through
 * untouched. The pattern label is a handler pattern of a tracked server, else 'other': Nest
 * also routes `{"b":1,"a":2}` to the handler of `{"a":2,"b":1}`, and labels must stay bounded.
 *
 * Registered globally by `ZmqHealthModule` (APP_INTERCEPTOR), or by hand with
 * `app.useGlobalInterceptors(app.get(ZmqMetricsInterceptor))`.
 */
@Injectable()
export class ZmqMetricsInterceptor implements NestInterceptor {
  private readonly metrics: ZmqMetrics | null;

  constructor(
    // Null when the module runs with `metrics: false`: then this interceptor only passes through.
    @Optional() @Inject(ZmqMetrics) metrics: ZmqMetrics | null,
    private readonly servers: ZmqServers,
    @Optional() @Inject(ZMQ_HEALTH_OPTIONS) options: ZmqHealthModuleOptions = {},
  ) {
    const timeHandlers = options.metrics !== false && options.metrics?.timeHandlers !== false;
    this.metrics = timeHandlers ? (metrics ?? null) : null;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metrics = this.metrics;
    if (metrics === null || context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc().getContext<unknown>();
    if (!(rpc instanceof ZmqContext)) return next.handle();
    const started = performance.now();
    const socket = rpc.getSocket();
    const raw = rpc.getPattern();
    const pattern = this.servers.isKnownPattern(raw) ? raw : OTHER_PATTERN;
    return next
      .handle()
      .pipe(
        finalize(() =>
          metrics.observeHandler(socket, pattern, (performance.now() - started) / 1000),
        ),
      );
  }
}
