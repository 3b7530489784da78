import { MalformedReason, type SocketStats, type ZmqServer } from '@sluice/zeromq';
import { pausedMsAt, rulesOf, socketsOf } from './server-snapshot.js';

export type MetricLabels = Record<string, string>;
export type EmitSample = (labels: MetricLabels, value: number) => void;

/** One collected metric: read from the servers' counters at scrape time, never per message. */
export interface CollectorSpec {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  labelNames: string[];
  collect(servers: ReadonlyArray<{ name: string; server: ZmqServer }>, emit: EmitSample): void;
}

const REASONS = Object.values(MalformedReason);
const ACTIONS = ['drop', 'pause', 'reject'] as const;

function perSocket(
  name: string,
  help: string,
  read: (stats: SocketStats) => number,
): CollectorSpec {
  return {
    name,
    type: 'counter',
    help,
    labelNames: ['socket'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const socket of socketsOf(server))
          emit({ socket }, read(server.stats.sockets[socket]));
    },
  };
}

function ruleLabels(socket: string, rule: { name: string; pattern: string | undefined }) {
  return { socket, rule: rule.name, pattern: rule.pattern ?? '*' };
}

/**
 * Every collected metric of `ZmqMetrics`, in exposition order. Labels are bounded: socket (3),
 * action (3), reason (7), outcome (3), server (the tracked servers), rule and pattern (the
 * configured rules). A zero is emitted for every known combination, so `rate()` has a start.
 */
export const COLLECTORS: readonly CollectorSpec[] = [
  {
    name: 'sluice_listening',
    type: 'gauge',
    help: 'Whether the server is listening (1) or not (0).',
    labelNames: ['server'],
    collect(servers, emit) {
      for (const { name, server } of servers) emit({ server: name }, server.isListening ? 1 : 0);
    },
  },
  perSocket('sluice_messages_received_total', 'Messages read from the socket.', (s) => s.received),
  perSocket('sluice_messages_handled_total', 'Messages dispatched to a handler.', (s) => s.handled),
  perSocket(
    'sluice_messages_no_handler_total',
    'Admitted messages whose pattern has no handler.',
    (s) => s.noHandler,
  ),
  {
    name: 'sluice_replies_dropped_total',
    type: 'counter',
    help: 'Replies that could not be delivered (peer gone or not reading its replies).',
    labelNames: ['socket'],
    collect(servers, emit) {
      for (const { server } of servers)
        if (socketsOf(server).includes('router'))
          emit({ socket: 'router' }, server.stats.sockets.router.repliesDropped);
    },
  },
  {
    name: 'sluice_rate_limited_total',
    type: 'counter',
    help: 'Messages refused by a rate limit, by action (pause: each wait of a held message).',
    labelNames: ['socket', 'action'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const socket of socketsOf(server))
          for (const action of ACTIONS)
            emit({ socket, action }, server.stats.sockets[socket].limited[action]);
    },
  },
  {
    name: 'sluice_rate_limit_decisions_total',
    type: 'counter',
    help: 'Decisions of each rule: ok, over_limit (enforced: dropped, paused or rejected) or shadow (would have limited; let through).',
    labelNames: ['socket', 'rule', 'pattern', 'outcome'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const { socket, rule } of rulesOf(server)) {
          const labels = ruleLabels(socket, rule);
          emit({ ...labels, outcome: 'ok' }, rule.admitted);
          emit({ ...labels, outcome: 'over_limit' }, rule.dropped + rule.paused + rule.rejected);
          emit({ ...labels, outcome: 'shadow' }, rule.shadowLimited);
        }
    },
  },
  {
    name: 'sluice_malformed_total',
    type: 'counter',
    help: 'Malformed messages dropped before any handler, by reason.',
    labelNames: ['socket', 'reason'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const socket of socketsOf(server))
          for (const reason of REASONS)
            emit({ socket, reason }, server.stats.sockets[socket].malformed[reason]);
    },
  },
  {
    name: 'sluice_pause_seconds_total',
    type: 'counter',
    help: 'Time reading the socket was paused by a rate limit, the pause under way included.',
    labelNames: ['socket'],
    collect(servers, emit) {
      const now = performance.now();
      for (const { server } of servers)
        for (const socket of socketsOf(server))
          emit({ socket }, pausedMsAt(server.stats.sockets[socket], now) / 1000);
    },
  },
  {
    name: 'sluice_paused',
    type: 'gauge',
    help: 'Whether reading the socket is paused by a rate limit right now (1) or not (0).',
    labelNames: ['socket'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const socket of socketsOf(server))
          emit({ socket }, server.stats.sockets[socket].pausedSince === undefined ? 0 : 1);
    },
  },
  {
    name: 'sluice_connected_peers',
    type: 'gauge',
    help: 'Live connections on the socket.',
    labelNames: ['socket'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const [socket, n] of Object.entries(server.connectedPeers)) emit({ socket }, n);
    },
  },
  {
    name: 'sluice_in_flight',
    type: 'gauge',
    help: 'Messages dispatched to handlers and not yet settled.',
    labelNames: [],
    collect(servers, emit) {
      for (const { server } of servers) emit({}, server.stats.inFlight);
    },
  },
  {
    name: 'sluice_tracked_keys',
    type: 'gauge',
    help: 'Keys (peers, patterns, custom keys) the rule holds limiter state for.',
    labelNames: ['socket', 'rule', 'pattern'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const [socket, gate] of Object.entries(server.admissionGates))
          for (const rule of gate.rules())
            emit(ruleLabels(socket, rule), gate.store.trackedKeys(rule));
    },
  },
  {
    name: 'sluice_rate_limit_per_second',
    type: 'gauge',
    help: 'Configured limit of the rule in messages per second (per key for peer and custom keys).',
    labelNames: ['socket', 'rule', 'pattern'],
    collect(servers, emit) {
      for (const { server } of servers)
        for (const { socket, rule } of rulesOf(server))
          emit(ruleLabels(socket, rule), (rule.limit * 1000) / rule.perMs);
    },
  },
];
