import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ZmqClient, type ZmqClientOptions, ZmqServer, type ZmqServerOptions } from '@sluice/zeromq';

export interface RunningServer {
  app: INestMicroservice;
  server: ZmqServer;
}

/** A real Nest microservice on a real ZmqServer. */
export async function startServer(
  options: ZmqServerOptions,
  controllers: Type[],
  imports: Array<Type | DynamicModule> = [],
): Promise<RunningServer> {
  const moduleRef = await Test.createTestingModule({
    controllers,
    imports,
  }).compile();
  const server = new ZmqServer(options);
  const app = moduleRef.createNestMicroservice({
    strategy: server,
    logger: false,
  });
  await app.listen();
  return { app, server };
}

/** A connected ZmqClient; close it in afterEach/afterAll. */
export async function startClient(options: ZmqClientOptions): Promise<ZmqClient> {
  const client = new ZmqClient(options);
  await client.connect();
  return client;
}
