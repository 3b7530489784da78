import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ZmqServer } from '@sluice/zeromq';
import type { DemoConfig } from './demo.config.js';
import { DemoModule } from './demo.module.js';

/**
 * Builds the hybrid app: HTTP (index, /dashboard) plus the ZeroMQ ROUTER and PULL sockets.
 * Used by main and tests. RateLimitModule hands its registry to the ZmqServer, and the
 * dashboard finds the server, both through Nest's RPC target registry.
 */
export async function bootstrapDemo(config: DemoConfig, logger?: false): Promise<INestApplication> {
  const app = await NestFactory.create(DemoModule.forRoot(config), { logger });
  app.connectMicroservice(
    {
      strategy: new ZmqServer({
        router: { bind: config.routerEndpoint },
        pull: { bind: config.pullEndpoint },
      }),
    },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
