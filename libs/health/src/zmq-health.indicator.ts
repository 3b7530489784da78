import { Inject, Injectable, Optional } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { ZmqServer } from '@sluice/zeromq';
import { ZMQ_HEALTH_OPTIONS } from './health.constants.js';
import {
  describeServer,
  type LimitedPattern,
  type LimitedPeer,
  type SocketHealth,
} from './health-details.js';
import { judgeServer, resolveRules, worst, type ZmqHealthStatus } from './health-status-rules.js';
import type { ZmqHealthModuleOptions, ZmqHealthRules } from './zmq-health-options.interface.js';
import { type TrackedServer, ZmqServers } from './zmq-servers.js';

export interface ZmqHealthCheckOptions extends Omit<ZmqHealthRules, 'windowMs'> {
  /** Report only this server (instance or tracked name); default: every tracked server. */
  server?: ZmqServer | string;
}

/** What `isHealthy` puts under its key (besides `status`). */
// A type alias, not an interface: terminus wants the details assignable to Record<string, unknown>.
export type ZmqHealthDetails = {
  /** Why the status is not up (empty when up). */
  reasons: string[];
  windowSeconds: number;
  /** By socket ('router', 'pull', 'sub'); 'name:socket' when several servers are reported. */
  sockets: Record<string, SocketHealth>;
  topLimitedPatterns: LimitedPattern[];
  /** From the server's 'limited' events: the peers refused most in the window. */
  topLimitedPeers: LimitedPeer[];
};

/**
 * Terminus indicator for ZmqServers: listening, paused, peers, admitted and limited rates by
 * action, malformed messages, rules against their limits, and the top limited patterns and
 * peers. Cost of a check: one read of the counters; the rates come from the sampler's ring.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.zmq.isHealthy('zmq')]); }
 * ```
 */
@Injectable()
export class ZmqHealthIndicator {
  private readonly rules: Required<ZmqHealthRules>;

  constructor(
    private readonly his: HealthIndicatorService,
    private readonly servers: ZmqServers,
    @Optional() @Inject(ZMQ_HEALTH_OPTIONS) options: ZmqHealthModuleOptions = {},
  ) {
    this.rules = resolveRules(options);
  }

  isHealthy<const Key extends string>(
    key: Key,
    options: ZmqHealthCheckOptions = {},
  ): HealthIndicatorResult<Key, ZmqHealthStatus, ZmqHealthDetails> {
    const rules = resolveRules({ ...this.rules, ...withoutUndefined(options) });
    const session = this.his.check(key);
    const entries = this.select(options.server);
    const details: ZmqHealthDetails = {
      reasons: [],
      windowSeconds: rules.windowMs / 1000,
      sockets: {},
      topLimitedPatterns: [],
      topLimitedPeers: [],
    };
    if (entries.length === 0) {
      details.reasons.push(
        options.server === undefined
          ? 'no ZmqServer is tracked (is ZmqHealthModule imported in the app that runs it?)'
          : `no tracked ZmqServer matches ${typeof options.server === 'string' ? `'${options.server}'` : 'the given instance'}`,
      );
      return session.down(details);
    }
    let status: ZmqHealthStatus = 'up';
    const now = performance.now();
    const prefixed = entries.length > 1;
    for (const entry of entries) {
      const described = describeServer(entry, rules.topN, now);
      const verdict = judgeServer(
        { listening: described.listening, sockets: described.facts },
        rules,
      );
      status = worst(status, verdict.status);
      const name = (s: string) => (prefixed ? `${entry.name}:${s}` : s);
      for (const reason of verdict.reasons)
        details.reasons.push(prefixed ? `${entry.name}: ${reason}` : reason);
      for (const [socket, health] of Object.entries(described.sockets)) {
        details.sockets[name(socket)] = health;
      }
      details.topLimitedPatterns.push(
        ...described.patterns.map((p) => ({ ...p, socket: name(p.socket) })),
      );
      details.topLimitedPeers.push(
        ...described.peers.map((p) => ({ ...p, socket: name(p.socket) })),
      );
    }
    // Several servers: keep the lists at top N overall, so the details stay small.
    details.topLimitedPatterns = details.topLimitedPatterns
      .sort((a, b) => b.limitedPerSecond - a.limitedPerSecond)
      .slice(0, rules.topN);
    details.topLimitedPeers = details.topLimitedPeers
      .sort((a, b) => b.limited - a.limited)
      .slice(0, rules.topN);
    if (status === 'down') return session.down(details);
    if (status === 'degraded') return session.degraded(details);
    return session.up(details);
  }

  private select(server: ZmqServer | string | undefined): readonly TrackedServer[] {
    if (server === undefined) return this.servers.list();
    const entry = this.servers.find(server);
    return entry === undefined ? [] : [entry];
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
