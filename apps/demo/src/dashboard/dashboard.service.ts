import { Injectable } from '@nestjs/common';
import { RateLimitRegistry, type RateLimitRuleState } from '@sluice/rate-limit';
import type { SocketStats } from '@sluice/zeromq';
import { ReadingsStore } from '../readings.store.js';
import type { DashboardSnapshot, RuleSnapshot, SocketSnapshot } from './dashboard-snapshot.js';
import { ZmqServerLocator } from './zmq-server.locator.js';

const SOCKETS = ['router', 'pull', 'sub'] as const;

function socketSnapshot(
  socket: SocketSnapshot['socket'],
  s: SocketStats,
  peers: number,
  now: number,
): SocketSnapshot {
  const { drop, pause, reject } = s.limited;
  return {
    socket,
    received: s.received,
    admitted: s.handled + s.noHandler,
    limited: drop + pause + reject,
    limitedBy: { drop, pause, reject },
    malformed: s.malformedTotal,
    noHandler: s.noHandler,
    repliesDropped: s.repliesDropped,
    paused: s.pausedSince !== undefined,
    pausedMs: Math.round(s.pausedMs + (s.pausedSince === undefined ? 0 : now - s.pausedSince)),
    connectedPeers: peers,
  };
}

function ruleSnapshot(r: RateLimitRuleState): RuleSnapshot {
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    id: r.id,
    name: r.name,
    socket: r.socket,
    pattern: r.pattern ?? null,
    scope: r.scope,
    key: r.key,
    limit: r.limit,
    perMs: r.perMs,
    burst: r.burst,
    action: r.action ?? null,
    shadow: r.shadow,
    admitted: r.admitted,
    limited: r.limited.drop + r.limited.pause + r.limited.reject + r.shadowLimited,
    trackedKeys: r.trackedKeys,
    currentRate: round(r.currentRate),
    limitedRate: round(r.limitedRate),
  };
}

/** Builds the `/dashboard/data` snapshot: cumulative counters, no per-message work. */
@Injectable()
export class DashboardService {
  private readonly startedAt = performance.now();

  constructor(
    private readonly locator: ZmqServerLocator,
    private readonly registry: RateLimitRegistry,
    private readonly store: ReadingsStore,
  ) {}

  snapshot(): DashboardSnapshot {
    const now = performance.now();
    const server = this.locator.server;
    const peers = server?.connectedPeers ?? {};
    // A socket is open when its peer monitor or its admission gate exists.
    const open = SOCKETS.filter(
      (k) => peers[k] !== undefined || server?.admissionGates[k] !== undefined,
    );
    return {
      service: 'sluice-demo',
      at: Date.now(),
      monotonicMs: Math.round(now),
      uptimeMs: Math.round(now - this.startedAt),
      listening: server?.isListening ?? false,
      inFlight: server?.stats.inFlight ?? 0,
      sockets: open.map((k) => socketSnapshot(k, server!.stats.sockets[k], peers[k] ?? 0, now)),
      rules: this.registry.list(now).map(ruleSnapshot),
      readings: this.store.stats(),
    };
  }
}
