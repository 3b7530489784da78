import { Controller, Get, Header } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { ZmqMetrics } from './zmq-metrics.js';

/**
 * A `/metrics` handler for Node's http, Express, or anything passing Node's (req, res):
 * `app.getHttpAdapter().get('/metrics', metricsHandler(registry))`.
 */
export function metricsHandler(
  registry: Registry,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (_req, res) => {
    try {
      const text = await registry.metrics();
      res.statusCode = 200;
      res.setHeader('Content-Type', registry.contentType);
      res.end(text);
    } catch (error) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`metrics collection failed: ${String(error)}`);
    }
  };
}

/** GET /metrics, mounted by `ZmqHealthModule.forRoot({ metrics: { controller: true } })`. */
@Controller('metrics')
export class ZmqMetricsController {
  constructor(private readonly metrics: ZmqMetrics) {}

  @Get()
  // The content type of prom-client's default (Prometheus text 0.0.4) registries.
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
