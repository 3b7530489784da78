import { cpus, loadavg } from 'node:os';
import type { BenchConfig } from './config.js';
import { PAYLOAD_BYTES } from './payload.js';
import type { ScenarioResult } from './scenario.js';

/**
 * The project's performance targets, as ratios between scenario ids. A new target is one line;
 * a ratio whose scenarios were skipped or failed is reported as "n/a", never as met.
 */
interface Target {
  id: string;
  label: string;
  numerator: string;
  denominator: string;
  metric: 'throughput' | 'p99Us' | 'serverCpuUsPerMsg';
  op: '>=' | '<=';
  threshold: number;
}

export const TARGETS: readonly Target[] = [
  {
    id: 'req100_vs_nest_tcp',
    label: 'request/reply @100: Sluice ÷ Nest TCP',
    numerator: 'sluice.req@100',
    denominator: 'nest-tcp.req@100',
    metric: 'throughput',
    op: '>=',
    threshold: 1.25,
  },
  {
    id: 'req100_vs_raw',
    label: 'request/reply @100: Sluice ÷ raw zeromq.js',
    numerator: 'sluice.req@100',
    denominator: 'raw-zeromq.req@100',
    metric: 'throughput',
    op: '>=',
    threshold: 0.8,
  },
  {
    id: 'events_vs_nest_tcp',
    label: 'events: Sluice emit ÷ Nest TCP emit',
    numerator: 'sluice.events',
    denominator: 'nest-tcp.events',
    metric: 'throughput',
    op: '>=',
    threshold: 1.5,
  },
  {
    id: 'events_vs_raw',
    label: 'events: Sluice emit ÷ raw PUSH/PULL',
    numerator: 'sluice.events',
    denominator: 'raw-zeromq.events',
    metric: 'throughput',
    op: '>=',
    threshold: 0.7,
  },
  {
    id: 'p99_req100_vs_nest_tcp',
    label: 'p99 @100 in flight: Sluice ÷ Nest TCP',
    numerator: 'sluice.req@100',
    denominator: 'nest-tcp.req@100',
    metric: 'p99Us',
    op: '<=',
    threshold: 1.0,
  },
  {
    id: 'decisions_gate1_vs_flexible',
    label: 'decisions/s, 1 rule: Sluice gate ÷ rate-limiter-flexible',
    numerator: 'rate-limit.decisions.gate-1',
    denominator: 'rate-limit.decisions.flexible-1',
    metric: 'throughput',
    op: '>=',
    threshold: 2,
  },
  {
    id: 'decisions_gate3_vs_flexible',
    label: 'decisions/s, 3 rules: Sluice gate ÷ rate-limiter-flexible',
    numerator: 'rate-limit.decisions.gate-3',
    denominator: 'rate-limit.decisions.flexible-3',
    metric: 'throughput',
    op: '>=',
    threshold: 2,
  },
  {
    id: 'req100_rules_vs_none',
    label: 'req @100, rules on (not limiting) ÷ no RateLimitModule',
    numerator: 'rate-limit.req@100.rules',
    denominator: 'rate-limit.req@100.none',
    metric: 'throughput',
    op: '>=',
    threshold: 0.95,
  },
  {
    id: 'server_cpu_dropped_vs_handled',
    label: 'server CPU per event: dropped ÷ handled',
    numerator: 'rate-limit.drop-cpu.dropped',
    denominator: 'rate-limit.drop-cpu.handled',
    metric: 'serverCpuUsPerMsg',
    op: '<=',
    threshold: 0.2,
  },
  {
    id: 'legit_p99_flood_vs_alone',
    label: 'legit p99 while a peer floods at 10× ÷ alone',
    numerator: 'rate-limit.flood.loaded',
    denominator: 'rate-limit.flood.unloaded',
    metric: 'p99Us',
    op: '<=',
    threshold: 2,
  },
];

export interface Ratio {
  id: string;
  label: string;
  value: number | null;
  target: string;
  met: boolean | null;
}

export function computeRatios(results: readonly ScenarioResult[]): Ratio[] {
  const figure = (id: string, metric: Target['metric']) =>
    results.find((r) => r.id === id && r.status === 'ok')?.[metric] ?? null;
  return TARGETS.map((t) => {
    const a = figure(t.numerator, t.metric);
    const b = figure(t.denominator, t.metric);
    const value = a !== null && b !== null && b > 0 ? a / b : null;
    const met = value === null ? null : t.op === '>=' ? value >= t.threshold : value <= t.threshold;
    return {
      id: t.id,
      label: t.label,
      value: round(value, 3),
      target: `${t.op === '>=' ? '≥' : '≤'} ${t.threshold}×`,
      met,
    };
  });
}

export function buildJson(
  results: readonly ScenarioResult[],
  config: BenchConfig,
  wallSeconds: number,
  loadAtStart: readonly number[],
): object {
  const rounded = results.map((r) => ({
    ...r,
    throughput: round(r.throughput, 0),
    p50Us: round(r.p50Us, 1),
    p99Us: round(r.p99Us, 1),
    p999Us: round(r.p999Us, 1),
    serverRssMb: round(r.serverRssMb, 1),
    serverCpuUsPerMsg: round(r.serverCpuUsPerMsg, 2),
    clientCpuUsPerMsg: round(r.clientCpuUsPerMsg, 2),
  }));
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    // Other work on the machine skews every figure; a high load average says "rerun".
    loadAverageAtStart: loadAtStart.map((v) => round(v, 2)),
    loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
    config: {
      seconds: config.seconds,
      warmupSeconds: config.warmupSeconds,
      payloadBytes: PAYLOAD_BYTES,
      host: config.host,
    },
    wallSeconds: round(wallSeconds, 1),
    units: {
      throughput: 'requests or events per second',
      latency: 'µs, send to reply, per request',
      rss: 'MB, server child after the run',
      cpu: 'µs of CPU (user+system) per message',
    },
    scenarios: rounded,
    ratios: computeRatios(results),
  };
}

const fmt = (value: number | null, digits = 0): string =>
  value === null || !Number.isFinite(value)
    ? '–'
    : value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      });

const HEAD = [
  'scenario',
  'in flight',
  'msg/s',
  'p50 µs',
  'p99 µs',
  'server RSS MB',
  'server CPU µs/msg',
  'client CPU µs/msg',
];

function row(r: ScenarioResult): string[] {
  return [
    r.id,
    fmt(r.inFlight),
    fmt(r.throughput),
    fmt(r.p50Us),
    fmt(r.p99Us),
    fmt(r.serverRssMb),
    fmt(r.serverCpuUsPerMsg, 1),
    fmt(r.clientCpuUsPerMsg, 1),
  ];
}

const verdict = (r: Ratio): string => (r.met === null ? 'n/a' : r.met ? 'met' : 'NOT met');

export function consoleReport(results: readonly ScenarioResult[]): string {
  const rows = [HEAD, ...results.map(row)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [
    line(HEAD),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...results.map((r) => line(row(r))),
  ];
  const notes = results.filter((r) => r.note !== undefined || r.status !== 'ok');
  if (notes.length > 0)
    out.push('', ...notes.map((r) => `${r.id}: ${r.status}${r.note ? ` (${r.note})` : ''}`));
  out.push('', 'Ratios vs targets:');
  for (const r of computeRatios(results))
    out.push(
      `  ${r.label.padEnd(56)} ${fmt(r.value, 2).padStart(6)}×  target ${r.target.padEnd(7)} ${verdict(r)}`,
    );
  return out.join('\n');
}

export function markdownReport(
  results: readonly ScenarioResult[],
  config: BenchConfig,
  loadAtStart: readonly number[],
): string {
  const cells = (c: string[]) => `| ${c.join(' | ')} |`;
  const figures = [
    cells(HEAD),
    cells(HEAD.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...results.map((r) => cells(row(r).map((c, i) => (i === 0 ? `\`${c}\`` : c)))),
  ];
  const ratios = computeRatios(results).map((r) =>
    cells([r.label, `${fmt(r.value, 2)}×`, r.target, verdict(r)]),
  );
  const skipped = results
    .filter((r) => r.status !== 'ok' || r.note)
    .map((r) => `- \`${r.id}\`: ${r.status}${r.note ? `: ${r.note}` : ''}`);
  // Rows of custom scenarios measure something else than the transport comparison: say what.
  const custom = results
    .filter((r) => r.kind === 'custom')
    .map((r) => `- \`${r.id}\`: ${r.description}`);
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\`: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}),`,
    `${PAYLOAD_BYTES}-byte JSON payloads, server and client in separate processes over loopback TCP,`,
    `${config.warmupSeconds} s warm-up then ${config.seconds} s per scenario. Events are counted at the receiver.`,
    `Load average (1 / 5 / 15 min) at start ${load(loadAtStart)}, at end ${load(loadavg())} on ${cpus().length} cores:`,
    'figures taken while other work runs on the machine are noisier, ratios of interleaved runs less so.',
    '',
    ...figures,
    '',
    cells(['ratio', 'measured', 'target', '']),
    cells(['---', '---:', '---:', '---']),
    ...ratios,
    ...(custom.length > 0 ? ['', 'What the rate-limit rows measure:', ...custom] : []),
    ...(skipped.length > 0 ? ['', 'Notes:', ...skipped] : []),
    '',
  ].join('\n');
}

function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
