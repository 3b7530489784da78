import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { ReadingsStore, type Reading } from './readings.store.js';

/** ROUTER queries: request/response over DEALER clients. */
@Controller()
export class QueryController {
  constructor(private readonly store: ReadingsStore) {}

  @MessagePattern('readings.latest')
  latest(@Payload() query: { sensor: string }): Reading {
    const reading = this.store.get(String(query?.sensor));
    if (!reading)
      throw new RpcException({
        code: 'NOT_FOUND',
        message: `No reading for sensor ${query?.sensor}`,
      });
    return reading;
  }

  @MessagePattern('readings.stats')
  stats(): { sensors: number; ingested: number } {
    return this.store.stats();
  }

  @MessagePattern('control.ping')
  ping(): { pong: number } {
    return { pong: Date.now() };
  }
}
