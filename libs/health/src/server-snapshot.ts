import type { CompiledRule } from '@sluice/rate-limit';
import type { SocketKind, SocketStats, ZmqServer } from '@sluice/zeromq';

/** Cumulative counters of one socket at one instant. */
export interface SocketCounters {
  received: number;
  /** Passed admission and dispatched: handled, or answered "no handler". */
  admitted: number;
  drop: number;
  pause: number;
  reject: number;
  malformed: number;
  /** Time spent paused, the pause under way included (ms). */
  pausedMs: number;
}

/** Cumulative counters of one rule at one instant. */
export interface RuleCounters {
  admitted: number;
  /** Enforced refusals: dropped + paused + rejected. */
  overLimit: number;
  /** Would have been refused, counted only (shadow mode). */
  shadow: number;
}

export interface ServerSnapshot {
  /** performance.now() of the reading. */
  t: number;
  sockets: Partial<Record<SocketKind, SocketCounters>>;
  rules: Map<CompiledRule, RuleCounters>;
}

/** The sockets a server opened (they stay listed after close); before `listen`, none. */
export function socketsOf(server: ZmqServer): SocketKind[] {
  return server.socketKinds;
}

/** The rules in force on a server, with the socket whose gate holds them. */
export function rulesOf(server: ZmqServer): Array<{ socket: SocketKind; rule: CompiledRule }> {
  const out: Array<{ socket: SocketKind; rule: CompiledRule }> = [];
  for (const [socket, gate] of Object.entries(server.admissionGates)) {
    for (const rule of gate.rules()) out.push({ socket: socket as SocketKind, rule });
  }
  return out;
}

/** Paused time including the pause under way: a monotone function of time. */
export function pausedMsAt(stats: SocketStats, now: number): number {
  return stats.pausedMs + (stats.pausedSince === undefined ? 0 : now - stats.pausedSince);
}

export function socketCounters(stats: SocketStats, now: number): SocketCounters {
  return {
    received: stats.received,
    admitted: stats.handled + stats.noHandler,
    drop: stats.limited.drop,
    pause: stats.limited.pause,
    reject: stats.limited.reject,
    malformed: stats.malformedTotal,
    pausedMs: pausedMsAt(stats, now),
  };
}

export function ruleCounters(rule: CompiledRule): RuleCounters {
  return {
    admitted: rule.admitted,
    overLimit: rule.dropped + rule.paused + rule.rejected,
    shadow: rule.shadowLimited,
  };
}

/** Reads every counter once: a handful of numbers per socket and rule, no per-message state. */
export function takeSnapshot(server: ZmqServer, now: number): ServerSnapshot {
  const sockets: ServerSnapshot['sockets'] = {};
  for (const kind of socketsOf(server)) {
    sockets[kind] = socketCounters(server.stats.sockets[kind], now);
  }
  const rules = new Map<CompiledRule, RuleCounters>();
  for (const { rule } of rulesOf(server)) rules.set(rule, ruleCounters(rule));
  return { t: now, sockets, rules };
}
