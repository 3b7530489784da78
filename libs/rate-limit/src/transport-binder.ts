import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
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
export class RateLimitTransportBinder implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly registry: RateLimitRegistry,
  ) {}

  onModuleInit(): void {
    this.subscription = this.modules.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (isRateLimitAware(target)) target.useRateLimits(this.registry);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
