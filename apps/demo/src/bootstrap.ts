import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ZmqServer } from '@sluice/zeromq';
import type { DemoConfig } from './demo.config.js';
import { DemoModule } from './demo.module.js';

/** Builds the hybrid app: HTTP plus the ZeroMQ ROUTER and PULL sockets. Used by main and tests. */
export async function bootstrapDemo(config: DemoConfig, logger?: false): Promise<INestApplication> {
  const app = await NestFactory.create(DemoModule, { logger });
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
