import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { RateLimit } from '@sluice/rate-limit';
import { ReadingsStore, type Reading, type ReadingsStats } from './readings.store.js';

/**
 * ROUTER queries: request/response over DEALER clients. Over a limit the caller gets
 * `RATE_LIMITED` with `retryAfterMs`. `readings.stats` also has a shared budget in the
 * module options (demo.limits.ts).
 */
@Controller()
export class QueryController {
  constructor(private readonly store: ReadingsStore) {}

  @RateLimit({ name: 'latest-per-peer', limit: 100, per: '1s', key: 'peer' })
  @MessagePattern('readings.latest')
  latest(@Payload() query: { sensor?: unknown } | null): Reading {
    const sensor = query?.sensor;
    if (typeof sensor !== 'string') {
      throw new RpcException({ code: 'BAD_REQUEST', message: 'Expected { sensor: string }' });
    }
    const reading = this.store.get(sensor);
    if (!reading) {
      throw new RpcException({ code: 'NOT_FOUND', message: `No reading for sensor ${sensor}` });
    }
    return reading;
  }

  @MessagePattern('readings.stats')
  stats(): ReadingsStats {
    return this.store.stats();
  }
}
