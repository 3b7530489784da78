import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { RateLimitRegistry } from './rate-limit.registry.js';

/** A transport that enforces the registry's limits itself (e.g. `ZmqServer`). */
export interface RateLimitAwareTransport {
  useRateLimits(registry: RateLimitRegistry): void;
}

function isRateLimitAware(target: unknown): target is RateLimitAwareTransport {
  return typeof (target as Partial<RateLimitAwareTransport> | null)?.useRateLimits === 'function';
}

/**
 * Hands the module's registry to every microservice server of the app that can enforce it.
 * Nest publishes each server instance on the container's RPC target registry (a replay
 * stream), whether it was created before or after this module: no global state, and this
 * library needs no import of any transport.
 */
@Injectable()
export class RateLimitTransportBinder implements OnModuleDestroy {
  private readonly subscription: Subscription;

  // Subscribes at construction, not in onModuleInit: a hybrid app's connectMicroservice() skips
  // the init hooks, and startAllMicroservices() may run before app.init(). Providers exist
  // before any microservice does, and the registry replays every server published so far.
  constructor(modules: ModulesContainer, registry: RateLimitRegistry) {
    this.subscription = modules.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (isRateLimitAware(target)) target.useRateLimits(registry);
    });
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}
