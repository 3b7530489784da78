/**
 * What a scenario is. The orchestrator only knows this file: a new benchmark is a new file that
 * exports scenarios plus one line in scenarios/index.ts.
 *
 * - A `PairScenario` runs a server role and a client role in two separate child processes and
 *   is driven by the generic roles in roles/server.ts and roles/client.ts.
 * - A `SoloScenario` runs `run()` alone in one child process (for micro-benchmarks such as
 *   rate-limiter decisions) and returns its own figures.
 * - A `CustomScenario` drives its own children from the orchestrator (several servers, a third
 *   process, interleaved A/B runs) and returns one or more result rows.
 */
import type { ChildLink, Handlers } from './ipc.js';

/** Where the servers listen; chosen by the orchestrator so that no two runs share a port. */
export interface BenchEnv {
  host: string;
  /**
   * Three free loopback ports: request socket and event socket when a transport needs two;
   * custom scenarios running servers side by side use one each.
   */
  ports: number[];
  natsUrl: string;
  redisUrl: string;
}

export interface BenchServer {
  /** Messages that reached the server, refused ones included (default: those handled). */
  received?(): number;
  close(): Promise<void>;
}

export interface BenchClient {
  /** One request/reply round trip with the payload; resolves with the reply. */
  request(payload: object): Promise<unknown>;
  /** One fire-and-forget event; resolves when the transport accepted it. */
  emit(payload: object): Promise<void>;
  close(): Promise<void>;
}

export type ScenarioKind = 'request' | 'event' | 'solo' | 'custom';

interface ScenarioBase {
  /** Unique and stable (results.json, ratios): `<transport>.<what>`, e.g. `sluice.req@100`. */
  id: string;
  transport: string;
  kind: ScenarioKind;
  /** One line for the table and the JSON: what exactly is measured. */
  description: string;
  /** Runs in the orchestrator before any child is forked; a string means "skip, because …". */
  probe?(env: BenchEnv): Promise<string | undefined>;
}

export interface PairScenario extends ScenarioBase {
  kind: 'request' | 'event';
  /** Requests in flight (request) or emits awaited concurrently (event). */
  inFlight: number;
  /** `onMessage` must be called once per request or event received: it is what events count. */
  server(env: BenchEnv, onMessage: () => void): Promise<BenchServer>;
  client(env: BenchEnv): Promise<BenchClient>;
}

export interface SoloScenario extends ScenarioBase {
  kind: 'solo';
  run(env: BenchEnv, config: RunConfig): Promise<Partial<Figures>>;
}

/** What a child process of a custom scenario runs: its command handlers and how to close. */
export interface RoleInstance {
  handlers: Handlers;
  close(): Promise<void>;
}

/** Given to `CustomScenario.run` in the orchestrator. */
export interface CustomContext {
  config: RunConfig & { quick: boolean };
  /** Forks a child running `roles[role]` and waits until it is ready. Stopped by the runner. */
  fork(role: string): Promise<ChildLink>;
}

/** One row of a custom scenario (its id should start with the scenario's id). */
export interface ResultRow {
  id: string;
  description: string;
  inFlight?: number | null;
  figures: Partial<Figures>;
  note?: string;
}

export interface CustomScenario extends ScenarioBase {
  kind: 'custom';
  /** Child side: what `fork(role)` starts, by role name. */
  roles: Record<string, (env: BenchEnv) => Promise<RoleInstance>>;
  /** Orchestrator side: forks roles, drives them and returns the rows. */
  run(ctx: CustomContext): Promise<ResultRow[]>;
  /** Upper bound of `run` in seconds (past it the scenario fails and its children are killed). */
  budgetSeconds(config: RunConfig): number;
}

export type Scenario = PairScenario | SoloScenario | CustomScenario;

export interface RunConfig {
  warmupSeconds: number;
  seconds: number;
}

/** One row of the results. Unmeasured figures are null (JSON has no NaN). */
export interface Figures {
  throughput: number | null;
  p50Us: number | null;
  p99Us: number | null;
  p999Us: number | null;
  serverRssMb: number | null;
  serverCpuUsPerMsg: number | null;
  clientCpuUsPerMsg: number | null;
  messages: number | null;
}

export interface ScenarioResult extends Figures {
  id: string;
  transport: string;
  kind: ScenarioKind;
  inFlight: number | null;
  description: string;
  status: 'ok' | 'skipped' | 'failed';
  note?: string;
}
