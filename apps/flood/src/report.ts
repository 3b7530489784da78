import { writeFileSync } from 'node:fs';
import type { Counters } from './counters.js';
import type { LegitReport } from './legit-client.js';
import type { ResolvedOptions, ScenarioName } from './options.js';
import type { ServerReport } from './server-probe.js';

/**
 * The result of one run. The tool sees the server from outside only: `limited` counts the
 * RATE_LIMITED replies it received (reject) and the requests that got no reply at all
 * (dropped by the server, lost with a connection, or slower than the reply grace).
 */
export interface Report {
  scenario: ScenarioName;
  target: { socket: 'router' | 'pull'; endpoint: string; pattern: string };
  startedAt: string;
  /** The whole run: sending, then the grace for replies or queued events. */
  durationMs: number;
  /** From the first send to the end of the send loop. */
  sendingMs: number;
  options: { rate: number; count: number; size: number; connections: number; hwm: number };
  /** Messages handed to ZeroMQ. */
  sent: number;
  sentPerSecond: number;
  /** Sends that waited --send-timeout at the HWM and gave up: the server pushed back. */
  blocked: number;
  /** Requests answered with a value (request scenarios). */
  admitted?: number;
  limited?: { reject: number; noReply: number };
  replies?: { ok: number; rateLimited: number; malformed: number; error: number };
  /** Failed sends and error replies, by code. */
  errors: Record<string, number>;
  /** malformed: what was sent by reason, and how many error replies the server owed. */
  malformed?: { sentByReason: Record<string, number>; repliesOwed: number };
  /** Scenarios with several sockets or reconnects. */
  connections?: { opened: number; answered: number; connects: number; disconnects: number };
  legit?: LegitReport;
  server?: ServerReport;
  /** Replies of --stats-pattern before and after the run (or why there are none). */
  serverStats?: { before?: unknown; after?: unknown; error?: string };
  notes: string[];
}

const REQUEST_SCENARIOS: ReadonlySet<ScenarioName> = new Set([
  'dealer-flood',
  'identity-rotation',
  'slow-reader',
  'many-connections',
]);

export function buildReport(
  options: ResolvedOptions,
  counters: Counters,
  startedAt: Date,
  started: number,
  ended: number,
  notes: string[],
): Report {
  const durationMs = ended - started;
  const sendingMs = (counters.sendingEndedAt ?? ended) - started;
  const { scenario, socket } = options;
  const isRequests =
    REQUEST_SCENARIOS.has(scenario) || (scenario === 'oversize' && socket === 'router');
  const report: Report = {
    scenario,
    target: {
      socket,
      endpoint: socket === 'router' ? options.router : options.pull,
      pattern: options.pattern,
    },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    sendingMs: Math.round(sendingMs),
    options: {
      rate: options.rate,
      count: options.count,
      size: options.size,
      connections: options.connections,
      hwm: options.hwm,
    },
    sent: counters.sent,
    sentPerSecond: sendingMs > 0 ? Math.round((counters.sent * 1000) / sendingMs) : 0,
    blocked: counters.blocked,
    errors: counters.errors,
    notes,
  };
  if (isRequests) {
    report.admitted = counters.replies.ok;
    report.replies = { ...counters.replies };
    report.limited = {
      reject: counters.replies.rateLimited,
      noReply: Math.max(0, counters.sent - counters.terminalReplies),
    };
  }
  if (scenario === 'malformed') {
    report.malformed = { sentByReason: counters.sentByReason, repliesOwed: counters.repliesOwed };
    if (socket === 'router') report.replies = { ...counters.replies };
  }
  if (counters.socketsOpened > 1 || scenario === 'oversize') {
    report.connections = {
      opened: counters.socketsOpened,
      answered: counters.answered,
      connects: counters.connects,
      disconnects: counters.disconnects,
    };
  }
  return report;
}

/** Pretty JSON to a file (--out) or stdout. */
export function writeReport(report: Report, out: string | undefined): void {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (out === undefined || out === '-') process.stdout.write(json);
  else writeFileSync(out, json);
}

/** The progress line: what a person watching needs, in one line. */
export function progressLine(
  scenario: string,
  elapsedMs: number,
  counters: Counters,
  legit: { sent: number; ok: number } | undefined,
): string {
  const s = elapsedMs / 1000;
  const rate = s > 0 ? Math.round(counters.sent / s) : 0;
  const r = counters.replies;
  let line = `${scenario} ${s.toFixed(1)}s sent ${counters.sent} (${rate}/s) blocked ${counters.blocked}`;
  if (counters.terminalReplies > 0) {
    line += ` ok ${r.ok} limited ${r.rateLimited} malformed ${r.malformed} err ${r.error}`;
  }
  if (counters.disconnects > 0) line += ` disconnects ${counters.disconnects}`;
  if (legit && legit.sent > 0) {
    line += ` | legit ${legit.ok}/${legit.sent} (${((100 * legit.ok) / legit.sent).toFixed(1)}%)`;
  }
  return line;
}
