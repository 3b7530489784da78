import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ZmqServer } from '@sluice/zeromq';
import type { Subscription } from 'rxjs';

/**
 * Finds the app's ZmqServer on Nest's RPC target registry (a replay stream of every
 * connected microservice server), so the dashboard needs no reference from bootstrap.
 */
@Injectable()
export class ZmqServerLocator implements OnModuleInit, OnModuleDestroy {
  private found: ZmqServer | undefined;
  private subscription: Subscription | undefined;

  constructor(private readonly modules: ModulesContainer) {}

  /** The first ZmqServer of the app, once connected; undefined before. */
  get server(): ZmqServer | undefined {
    return this.found;
  }

  onModuleInit(): void {
    this.subscription = this.modules.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (target instanceof ZmqServer) this.found ??= target;
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
