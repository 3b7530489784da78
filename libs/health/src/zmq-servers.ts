import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { type ZmqLimitedEvent, ZmqServer } from '@sluice/zeromq';
import type { Subscription } from 'rxjs';
import {
  DEFAULT_SAMPLE_EVERY_MS,
  DEFAULT_TOP_N,
  DEFAULT_WINDOW_MS,
  PEER_TABLE_FACTOR,
  ZMQ_HEALTH_OPTIONS,
} from './health.constants.js';
import { RateSampler } from './rate-sampler.js';
import { WindowedTopCounts } from './top-counts.js';
import type { ZmqHealthModuleOptions } from './zmq-health-options.interface.js';

/** A server under watch, with its sampler and its bounded table of limited peers. */
export interface TrackedServer {
  name: string;
  server: ZmqServer;
  sampler: RateSampler;
  limitedPeers: WindowedTopCounts;
}

/**
 * The ZmqServers that health and metrics report on. By default every ZmqServer of the app is
 * tracked as Nest creates it (the container's RPC target registry replays each server instance,
 * whatever the order of creation: the same way `RateLimitModule` reaches the transport); or
 * pick servers with `track(server, name)`. One unref'd timer samples all of them.
 */
@Injectable()
export class ZmqServers implements OnModuleInit, OnModuleDestroy {
  private readonly tracked: TrackedServer[] = [];
  private readonly windowMs: number;
  private readonly sampleEveryMs: number;
  private readonly peerSlots: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private subscription: Subscription | undefined;
  private lastRotation = performance.now();

  constructor(
    @Optional() private readonly modules?: ModulesContainer,
    @Optional() @Inject(ZMQ_HEALTH_OPTIONS) private readonly options: ZmqHealthModuleOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.sampleEveryMs = options.sampleEveryMs ?? DEFAULT_SAMPLE_EVERY_MS;
    this.peerSlots = (options.topN ?? DEFAULT_TOP_N) * PEER_TABLE_FACTOR;
  }

  onModuleInit(): void {
    if (this.options.autoTrack === false || this.modules === undefined) return;
    this.subscription = this.modules.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (target instanceof ZmqServer) this.track(target);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.stop();
  }

  /** Starts watching `server` (idempotent). Names default to 'zmq', 'zmq-2', … in order. */
  track(server: ZmqServer, name?: string): TrackedServer {
    const known = this.tracked.find((t) => t.server === server);
    if (known !== undefined) return known;
    const entry: TrackedServer = {
      name: name ?? (this.tracked.length === 0 ? 'zmq' : `zmq-${this.tracked.length + 1}`),
      server,
      sampler: new RateSampler(server, this.windowMs, this.sampleEveryMs),
      limitedPeers: new WindowedTopCounts(this.peerSlots),
    };
    if (this.tracked.some((t) => t.name === entry.name)) {
      throw new Error(`ZmqServers: a server named '${entry.name}' is already tracked`);
    }
    server.on('limited', (event: ZmqLimitedEvent) => {
      if (event.peer !== undefined) entry.limitedPeers.add(`${event.socket}|${event.peer}`);
    });
    this.tracked.push(entry);
    entry.sampler.tick();
    this.start();
    return entry;
  }

  untrack(server: ZmqServer): void {
    const i = this.tracked.findIndex((t) => t.server === server);
    if (i >= 0) this.tracked.splice(i, 1);
    if (this.tracked.length === 0) this.stop();
  }

  list(): readonly TrackedServer[] {
    return this.tracked;
  }

  find(server: ZmqServer | string): TrackedServer | undefined {
    return this.tracked.find((t) => t.server === server || t.name === server);
  }

  /**
   * Whether `pattern` is a handler pattern of a tracked server: metric labels take only those,
   * so a sender inventing patterns cannot create series.
   */
  isKnownPattern(pattern: string): boolean {
    for (const { server } of this.tracked) if (server.getHandlers().has(pattern)) return true;
    return false;
  }

  /** Samples every server now (the timer does this every `sampleEveryMs`). */
  sample(now: number = performance.now()): void {
    for (const entry of this.tracked) entry.sampler.tick(now);
    if (now - this.lastRotation >= this.windowMs) {
      this.lastRotation = now;
      for (const entry of this.tracked) entry.limitedPeers.rotate();
    }
  }

  private start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sample(), this.sampleEveryMs);
    // Sampling must never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
