import { createServer } from 'node:net';
import type { BenchConfig } from './config.js';
import { ChildLink, withTimeout } from './ipc.js';
import type { EmitResult, LoadResult } from './roles/client.js';
import type { ServerSnapshot } from './roles/server.js';
import type {
  BenchEnv,
  CustomScenario,
  Figures,
  PairScenario,
  ResultRow,
  Scenario,
  ScenarioResult,
  SoloScenario,
} from './scenario.js';

const CHILD = new URL('./child.js', import.meta.url).pathname;
export const READY_MS = 15_000;
/** Free ports given to every scenario (BenchEnv.ports). */
const PORTS_PER_SCENARIO = 3;
export const CALL_SLACK_MS = 20_000; // on top of a phase's own length: ZmqClient's 10 s timeout, slow teardown

const EMPTY: Figures = {
  throughput: null,
  p50Us: null,
  p99Us: null,
  p999Us: null,
  serverRssMb: null,
  serverCpuUsPerMsg: null,
  clientCpuUsPerMsg: null,
  messages: null,
};

export function baseResult(
  s: Scenario,
  status: ScenarioResult['status'],
  note?: string,
): ScenarioResult {
  const inFlight = s.kind === 'solo' || s.kind === 'custom' ? null : s.inFlight;
  return {
    id: s.id,
    transport: s.transport,
    kind: s.kind,
    inFlight,
    description: s.description,
    status,
    note,
    ...EMPTY,
  };
}

/** A row of a custom scenario as a result. */
export function rowResult(s: Scenario, row: ResultRow): ScenarioResult {
  return {
    ...baseResult(s, 'ok', row.note),
    id: row.id,
    description: row.description,
    inFlight: row.inFlight ?? null,
    ...row.figures,
  };
}

/**
 * Runs one scenario in fresh child processes and always stops them, whatever happens. One row
 * per scenario, except custom scenarios (one per `ResultRow`, or one failed row).
 */
export async function runScenario(s: Scenario, config: BenchConfig): Promise<ScenarioResult[]> {
  const env: BenchEnv = {
    host: config.host,
    ports: await freePorts(),
    natsUrl: config.natsUrl,
    redisUrl: config.redisUrl,
  };
  const links: ChildLink[] = [];
  const fork = (role: string): ChildLink => {
    const execArgv =
      config.profile !== undefined &&
      (role === config.profile || role.startsWith(`${config.profile}:`))
        ? [
            `--cpu-prof`,
            `--cpu-prof-dir=${config.profileDir}`,
            `--cpu-prof-name=${s.id}.${role.replace(':', '-')}.cpuprofile`,
          ]
        : [];
    const link = ChildLink.fork(
      CHILD,
      [role, s.id, JSON.stringify(env)],
      `${s.id} ${role}`,
      execArgv,
    );
    links.push(link);
    return link;
  };
  // Per-scenario budget: a wedged scenario is recorded as failed and the run goes on.
  const budgetMs =
    s.kind === 'custom'
      ? READY_MS * 2 + s.budgetSeconds(config) * 1000 + CALL_SLACK_MS
      : READY_MS * 2 + (config.warmupSeconds + config.seconds) * 6_000 + CALL_SLACK_MS * 2;
  const budget = <T>(work: Promise<T>) =>
    withTimeout(work, budgetMs, `scenario exceeded its ${Math.round(budgetMs / 1000)} s budget`);
  try {
    if (s.kind === 'custom') {
      const rows = await budget(runCustom(s, config, fork));
      return rows.map((row) => rowResult(s, row));
    }
    const figures = await budget(
      s.kind === 'solo' ? runSolo(s, config, fork) : runPair(s, config, fork),
    );
    return [{ ...baseResult(s, 'ok', figures.note), ...figures.figures }];
  } catch (error) {
    return [baseResult(s, 'failed', error instanceof Error ? error.message : String(error))];
  } finally {
    await Promise.all(links.map((link) => link.stop()));
  }
}

export type Outcome = { figures: Partial<Figures>; note?: string };
type Fork = (role: string) => ChildLink;

async function runSolo(s: SoloScenario, config: BenchConfig, fork: Fork): Promise<Outcome> {
  const solo = fork('solo');
  await solo.ready(READY_MS);
  const phaseMs = (config.warmupSeconds + config.seconds) * 1000 + CALL_SLACK_MS;
  const figures = await solo.call<Partial<Figures>>(
    { cmd: 'run', warmupSeconds: config.warmupSeconds, seconds: config.seconds },
    phaseMs,
  );
  const { seq: _seq, ok: _ok, ...rest } = figures;
  return { figures: rest };
}

function runCustom(s: CustomScenario, config: BenchConfig, fork: Fork): Promise<ResultRow[]> {
  return s.run({
    config: { warmupSeconds: config.warmupSeconds, seconds: config.seconds, quick: config.quick },
    fork: async (role) => {
      const link = fork(role);
      await link.ready(READY_MS);
      return link;
    },
  });
}

async function runPair(s: PairScenario, config: BenchConfig, fork: Fork): Promise<Outcome> {
  const server = fork('server');
  await server.ready(READY_MS);
  const client = fork('client');
  await client.ready(READY_MS);
  return s.kind === 'request'
    ? measureRequests(s, config, server, client)
    : measureEvents(s, config, server, client);
}

async function measureRequests(
  s: PairScenario,
  config: BenchConfig,
  server: ChildLink,
  client: ChildLink,
): Promise<Outcome> {
  await warmRequests(client, s.inFlight, config.warmupSeconds);
  return requestPhase(server, client, s.inFlight, config.seconds);
}

function loadPhase(
  client: ChildLink,
  inFlight: number,
  seconds: number,
  record: boolean,
): Promise<LoadResult> {
  return client.call<LoadResult>(
    { cmd: 'load', seconds, concurrency: inFlight, record },
    seconds * 1000 + CALL_SLACK_MS,
  );
}

/** A closed-loop warm-up of a request client (roles/client.ts); throws when nothing came back. */
export async function warmRequests(
  client: ChildLink,
  inFlight: number,
  seconds: number,
): Promise<void> {
  const warm = await loadPhase(client, inFlight, seconds, false);
  if (warm.completed === 0) throw new Error(`no reply during warm-up: ${warm.firstError}`);
}

/** One measured closed-loop phase: throughput and latency at the client, CPU at the server. */
export async function requestPhase(
  server: ChildLink,
  client: ChildLink,
  inFlight: number,
  seconds: number,
): Promise<Outcome> {
  const before = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
  const run = await loadPhase(client, inFlight, seconds, true);
  const after = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
  if (run.completed === 0) throw new Error(`no reply: ${run.firstError}`);
  return {
    figures: {
      throughput: run.completed / (run.elapsedMs / 1000),
      p50Us: run.p50 ?? null,
      p99Us: run.p99 ?? null,
      p999Us: run.p999 ?? null,
      serverRssMb: after.rssMb,
      serverCpuUsPerMsg: (after.cpuUs - before.cpuUs) / run.completed,
      clientCpuUsPerMsg: run.cpuUs / run.completed,
      messages: run.completed,
    },
    note: run.errors > 0 ? `${run.errors} errors, first: ${run.firstError}` : undefined,
  };
}

/**
 * Events are counted at the receiver. The warm-up also sizes the measured run: N = warm-up rate
 * × seconds, then throughput = N / (first emit → N-th arrival), which includes draining whatever
 * the sender buffered (Nest TCP, NATS and Redis buffer without bound; ZeroMQ stops at its HWM).
 */
async function measureEvents(
  s: PairScenario,
  config: BenchConfig,
  server: ChildLink,
  client: ChildLink,
): Promise<Outcome> {
  const emit = (args: { seconds?: number; count?: number }, ms: number) =>
    client.call<EmitResult>({ cmd: 'emit', window: s.inFlight, ...args }, ms);
  const waitFor = (count: number, timeoutMs: number) =>
    server.call<ServerSnapshot>({ cmd: 'waitFor', count, timeoutMs }, timeoutMs + 5_000);

  const warm = await emit(
    { seconds: config.warmupSeconds },
    config.warmupSeconds * 1000 + CALL_SLACK_MS,
  );
  if (warm.sent === 0) throw new Error(`no event sent during warm-up: ${warm.firstError}`);
  const warmEnd = await waitFor(warm.sent, 10_000);
  if (warmEnd.count === 0) throw new Error('no event received during warm-up');
  const rate = warmEnd.count / ((warmEnd.t - warm.t0) / 1000);
  const n = Math.round(Math.min(20_000_000, Math.max(1_000, rate * config.seconds)));

  const before = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
  const drainMs = config.seconds * 4_000 + 10_000;
  const [run, end] = await Promise.all([
    emit({ count: n }, config.seconds * 5_000 + CALL_SLACK_MS),
    waitFor(before.count + n, drainMs),
  ]);
  const received = end.count - before.count;
  if (received <= 0)
    throw new Error(`no event received: ${run.firstError ?? 'sender reported no error'}`);
  const notes: string[] = [];
  if (!warmEnd.reached) notes.push(`warm-up: ${warm.sent - warmEnd.count} events lost`);
  if (!end.reached)
    notes.push(`${n - received} of ${n} events not received within ${drainMs / 1000} s`);
  if (run.errors > 0) notes.push(`${run.errors} emit errors, first: ${run.firstError}`);
  return {
    figures: {
      throughput: received / ((end.t - run.t0) / 1000),
      serverRssMb: end.rssMb,
      serverCpuUsPerMsg: (end.cpuUs - before.cpuUs) / received,
      clientCpuUsPerMsg: run.cpuUs / Math.max(1, run.sent),
      messages: received,
    },
    note: notes.length > 0 ? notes.join('; ') : undefined,
  };
}

/** Loopback ports the OS just handed out (held together, so they differ). */
async function freePorts(count = PORTS_PER_SCENARIO): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve(typeof address === 'object' && address !== null ? address.port : 0);
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
