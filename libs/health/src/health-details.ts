import type { CompiledRule } from '@sluice/rate-limit';
import type { SocketKind, ZmqServer } from '@sluice/zeromq';
import { limitedShare, type SocketFacts } from './health-status-rules.js';
import type { RuleCounters } from './server-snapshot.js';
import type { TrackedServer } from './zmq-servers.js';

/** One rule in the details: its rate against its limit over the window. */
export interface RuleHealth {
  rule: string;
  /** '*' for a socket-wide rule. */
  pattern: string;
  /** What the limit counts per: 'socket', 'pattern', 'peer' (per routing id) or 'function'. */
  key: string;
  shadow: boolean;
  limitPerSecond: number;
  admittedPerSecond: number;
  /** Refused (or, for a shadow rule, would-be refused) per second. */
  limitedPerSecond: number;
}

export interface SocketHealth {
  listening: boolean;
  paused: boolean;
  /** ISO time since when the socket has been paused without a break. */
  pausedSince?: string;
  pausedForMs?: number;
  connectedPeers: number;
  /** Over the window. `pause` counts pause decisions: a waiting message is offered again. */
  perSecond: {
    received: number;
    admitted: number;
    malformed: number;
    limited: { drop: number; pause: number; reject: number };
  };
  /** Refused (dropped + rejected) / (admitted + refused) over the window; pauses excluded. */
  limitedShare: number;
  /** Since start: total and the reasons seen (zero counts left out). */
  malformed: { total: number; byReason: Record<string, number> };
  /** The top N rules by limited rate, then by admitted rate. */
  rules: RuleHealth[];
  /** Rules not shown (beyond top N). */
  rulesOmitted: number;
}

export interface LimitedPattern {
  socket: string;
  pattern: string;
  limitedPerSecond: number;
}

export interface LimitedPeer {
  socket: string;
  peer: string;
  /** Limited messages over the last one to two windows (estimate, bounded table). */
  limited: number;
}

const round = (n: number) => Math.round(n * 100) / 100;
/**
 * Over the window covered so far, but at least a second: right after start a few messages in a
 * few milliseconds would read as thousands per second.
 */
const perSecond = (n: number, seconds: number) => round(n / Math.max(1, seconds));

/** performance.now() ms to wall-clock ISO text. */
export function isoTime(monotonicMs: number): string {
  return new Date(performance.timeOrigin + monotonicMs).toISOString();
}

function isOpen(server: ZmqServer, socket: SocketKind): boolean {
  try {
    const sockets = server.unwrap<Partial<Record<SocketKind, { closed: boolean }>>>();
    return sockets[socket]?.closed === false;
  } catch {
    return false;
  }
}

/** Facts for the status rules and details for the JSON, of one server, from one window read. */
export function describeServer(
  entry: TrackedServer,
  topN: number,
  now: number,
): {
  listening: boolean;
  facts: SocketFacts[];
  sockets: Partial<Record<SocketKind, SocketHealth>>;
  patterns: LimitedPattern[];
  peers: LimitedPeer[];
} {
  const { server, sampler } = entry;
  const window = sampler.window(now);
  const facts: SocketFacts[] = [];
  const sockets: Partial<Record<SocketKind, SocketHealth>> = {};
  const peersBySocket = server.connectedPeers;
  const rulesBySocket = new Map<string, Array<[CompiledRule, RuleCounters]>>();
  for (const [rule, delta] of window.rules) {
    const list = rulesBySocket.get(rule.socket) ?? [];
    list.push([rule, delta]);
    rulesBySocket.set(rule.socket, list);
  }
  for (const [kind, d] of Object.entries(window.sockets) as Array<
    [SocketKind, NonNullable<(typeof window.sockets)[SocketKind]>]
  >) {
    const stats = server.stats.sockets[kind];
    const since = sampler.pausedSince(kind, now);
    // Refused messages only: a paused message is delivered late, not lost; long pauses have
    // their own rule (maxPauseMs), and each wait of a held message would count again here.
    const limited = d.drop + d.reject;
    const open = isOpen(server, kind);
    // Rounded once, so the status rule judges exactly the figure the details report.
    const pausedForMs = since === undefined ? 0 : Math.round(now - since);
    facts.push({
      socket: kind,
      open,
      admitted: d.admitted,
      limited,
      pausedForMs,
    });
    const byReason: Record<string, number> = {};
    for (const [reason, count] of Object.entries(stats.malformed)) {
      if (count > 0) byReason[reason] = count;
    }
    const rules = (rulesBySocket.get(kind) ?? [])
      .map(([rule, delta]) => ruleHealth(rule, delta, window.seconds, server))
      .sort(
        (a, b) =>
          b.limitedPerSecond - a.limitedPerSecond || b.admittedPerSecond - a.admittedPerSecond,
      );
    sockets[kind] = {
      listening: open,
      paused: since !== undefined,
      ...(since !== undefined && {
        pausedSince: isoTime(since),
        pausedForMs,
      }),
      connectedPeers: peersBySocket[kind] ?? 0,
      perSecond: {
        received: perSecond(d.received, window.seconds),
        admitted: perSecond(d.admitted, window.seconds),
        malformed: perSecond(d.malformed, window.seconds),
        limited: {
          drop: perSecond(d.drop, window.seconds),
          pause: perSecond(d.pause, window.seconds),
          reject: perSecond(d.reject, window.seconds),
        },
      },
      limitedShare: Math.round(limitedShare(d.admitted, limited) * 1000) / 1000,
      malformed: { total: stats.malformedTotal, byReason },
      rules: rules.slice(0, topN),
      rulesOmitted: Math.max(0, rules.length - topN),
    };
  }
  const patterns: LimitedPattern[] = [];
  for (const [rule, delta] of window.rules) {
    const n = delta.overLimit + delta.shadow;
    if (rule.pattern === undefined || n === 0) continue;
    const existing = patterns.find((p) => p.socket === rule.socket && p.pattern === rule.pattern);
    if (existing !== undefined) existing.limitedPerSecond += perSecond(n, window.seconds);
    else
      patterns.push({
        socket: rule.socket,
        pattern: rule.pattern,
        limitedPerSecond: perSecond(n, window.seconds),
      });
  }
  patterns.sort((a, b) => b.limitedPerSecond - a.limitedPerSecond);
  const peers = entry.limitedPeers.top(topN).map(({ key, count }) => {
    const bar = key.indexOf('|');
    return { socket: key.slice(0, bar), peer: key.slice(bar + 1), limited: count };
  });
  return {
    listening: server.isListening,
    facts,
    sockets,
    patterns: patterns.slice(0, topN),
    peers,
  };
}

function ruleHealth(
  rule: CompiledRule,
  delta: RuleCounters,
  seconds: number,
  server: ZmqServer,
): RuleHealth {
  return {
    rule: rule.name,
    pattern: rule.pattern ?? '*',
    key: rule.keyKind,
    // Global shadow mode is a property of the gate, not of each rule.
    shadow: rule.shadow || server.admissionGates[rule.socket as SocketKind]?.shadow === true,
    limitPerSecond: round((rule.limit * 1000) / rule.perMs),
    admittedPerSecond: perSecond(delta.admitted, seconds),
    limitedPerSecond: perSecond(delta.overLimit + delta.shadow, seconds),
  };
}
