import { Module } from '@nestjs/common';
import { RateLimitEvents } from './rate-limit-events.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RATE_LIMIT_OPTIONS, RateLimitConfigurableModule } from './rate-limit.module-definition.js';
import { RateLimitRegistry } from './rate-limit.registry.js';
import { RateLimitTransportBinder } from './transport-binder.js';

/**
 * `RateLimitModule.forRoot({...})` / `forRootAsync({ imports, inject, useFactory })`, with
 * `isGlobal`. Provides the options (validated when the registry is created, i.e. at
 * start-up), the `RateLimitRegistry` transports register their gates with, and the
 * `RateLimitInterceptor` for Nest's other transports and HTTP, and the `RateLimitEvents`
 * stream of throttling state changes for alerts (docs/alerts.md). Every microservice server of
 * the app that can enforce limits itself (`ZmqServer`) gets the registry (transport-binder.ts).
 */
@Module({
  providers: [RateLimitRegistry, RateLimitInterceptor, RateLimitTransportBinder, RateLimitEvents],
  exports: [RateLimitRegistry, RateLimitInterceptor, RateLimitEvents, RATE_LIMIT_OPTIONS],
})
export class RateLimitModule extends RateLimitConfigurableModule {}
