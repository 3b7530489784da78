import { type DynamicModule, Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { ZmqHealthModule } from '@sluice/health';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient } from '@sluice/zeromq';
import { ControlController } from './control.controller.js';
import type { DemoConfig } from './demo.config.js';
import { demoRateLimits } from './demo.limits.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { HEALTH_PROBE, HealthController } from './health.controller.js';
import { HttpController } from './http.controller.js';
import { IngestController } from './ingest.controller.js';
import { QueryController } from './query.controller.js';
import { ReadingsModule } from './readings.module.js';

/** The ingestion service: PULL ingestion, ROUTER queries and control, HTTP index and dashboard. */
@Module({})
export class DemoModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        // Global: the dashboard reads the same registry the transport enforces.
        RateLimitModule.forRoot({ ...demoRateLimits(config.limits), isGlobal: true }),
        // /health (terminus) and /metrics (prom-client's default registry).
        TerminusModule,
        ZmqHealthModule.forRoot({ metricsController: true }),
        ClientsModule.register([
          {
            name: HEALTH_PROBE,
            customClass: ZmqClient,
            options: { dealer: { connect: config.routerEndpoint } },
          },
        ]),
        ReadingsModule,
        DashboardModule,
      ],
      controllers: [
        IngestController,
        QueryController,
        ControlController,
        HttpController,
        HealthController,
      ],
    };
  }
}
