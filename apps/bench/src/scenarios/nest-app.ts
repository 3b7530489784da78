import { Controller, type INestMicroservice, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type ClientProxy,
  EventPattern,
  MessagePattern,
  type MicroserviceOptions,
  Payload,
} from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { BenchClient, BenchServer } from '../scenario.js';

/** Set by the server role before the app starts; Nest instantiates the controller itself. */
let onMessage: () => void = () => undefined;

/** For controllers of other scenario files: counts one message for the server role. */
export function countMessage(): void {
  onMessage();
}

/** The same handlers for every Nest transport (Sluice included): what a user would write. */
@Controller()
export class EchoController {
  @MessagePattern('echo')
  echo(@Payload() data: unknown): unknown {
    onMessage();
    return data;
  }

  @EventPattern('evt')
  event(@Payload() _data: unknown): void {
    onMessage();
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/**
 * A real Nest microservice with `options` (a built-in transport or `{ strategy }`), running
 * `module` (default: the echo controller alone; its controllers call `countMessage()`).
 */
export async function startNestServer(
  options: MicroserviceOptions,
  hook: () => void,
  module: Type = EchoModule,
): Promise<BenchServer> {
  onMessage = hook;
  const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...options,
    logger: ['error'],
  });
  await app.listen();
  return { close: () => app.close() };
}

/** Wraps any Nest ClientProxy the way application code awaits it. */
export async function nestClient(client: ClientProxy): Promise<BenchClient> {
  await client.connect();
  return {
    request: (payload) => lastValueFrom(client.send('echo', payload)),
    emit: async (payload) => {
      await lastValueFrom(client.emit('evt', payload), { defaultValue: undefined });
    },
    close: async () => {
      await client.close();
    },
  };
}
