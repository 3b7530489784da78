/** The attack scenarios, one file each under scenarios/. */
export const SCENARIO_NAMES = [
  'push-flood',
  'dealer-flood',
  'identity-rotation',
  'oversize',
  'malformed',
  'slow-reader',
  'many-connections',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Hard bounds: whatever the options say, a run stops by itself. */
export const MAX_DURATION_S = 300;
export const MAX_COUNT = 100_000_000;
export const MAX_CONNECTIONS = 20_000;
export const MAX_SIZE = 256 * 1024 * 1024;

/** Defaults aim at the demo app (`npm start`): ROUTER on :5555, PULL on :5556. */
export const DEFAULT_ROUTER = 'tcp://127.0.0.1:5555';
export const DEFAULT_PULL = 'tcp://127.0.0.1:5556';
export const DEFAULT_REQUEST_PATTERN = 'control.ping';
export const DEFAULT_EVENT_PATTERN = 'readings.ingest';

export interface LegitOptions {
  /** Pattern the legitimate client sends requests to. Default `control.ping`. */
  pattern?: string;
  /** Requests per second. Default 20. */
  rate?: number;
  /** Request payload. Default `{}`. */
  data?: unknown;
  /** Per-request timeout, ms. Default 2000. */
  timeoutMs?: number;
}

/** What `runScenario` accepts; every field but `scenario` has a default. */
export interface FloodOptions {
  scenario: ScenarioName;
  /** ROUTER endpoint (requests, legit client, stats). */
  router?: string;
  /** PULL endpoint (push-flood; malformed and oversize with `socket: 'pull'`). */
  pull?: string;
  /** Socket that malformed and oversize target. Default router. */
  socket?: 'router' | 'pull';
  /** Pattern of the attack messages. Default control.ping (requests) or readings.ingest (events). */
  pattern?: string;
  /** Messages per second, 0 = as fast as the socket takes them. Default 0. */
  rate?: number;
  /** Seconds. Default 5, at most 300. */
  duration?: number;
  /** Most messages to send. Default and cap 100 000 000. */
  count?: number;
  /** Body bytes of each attack message (padding). Default 64; oversize 2 MiB. */
  size?: number;
  /** Fixed payload (JSON value) instead of the generated `{ n, sensor, value, pad }`. */
  data?: unknown;
  /** Sockets at once (identity-rotation batch, many-connections). Default 100. */
  connections?: number;
  /** Requests per routing id in identity-rotation. Default 1. */
  perIdentity?: number;
  /** Routing id of the dealer-flood socket. Default `flood-<pid>`. */
  identity?: string;
  /** Send and receive HWM of the attack sockets. Default 1000. */
  hwm?: number;
  /** How long a send may wait at the HWM before it counts as blocked, ms. Default 500. */
  sendTimeoutMs?: number;
  /** Linger of the attack sockets at close, ms. Default 1000. */
  lingerMs?: number;
  /**
   * After the last send, ms: how long to wait for outstanding replies (requests), or to keep a
   * PUSH open so that events still queued reach a paused server. Default 1000.
   */
  graceMs?: number;
  /** Seed of the malformed generator. Default 1. */
  seed?: number;
  /** Run a legitimate ZmqClient beside the attack. */
  legit?: boolean | LegitOptions;
  /** A request pattern that answers with server statistics: asked before and after. */
  statsPattern?: string;
  /** Local server process to sample (/proc/PID): RSS before, after, peak, CPU time. */
  serverPid?: number;
  /** Allow non-loopback targets. */
  allowRemote?: boolean;
  /** Called about 4 times a second with a one-line status. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Options with every default filled in and every bound checked. */
export interface ResolvedOptions extends Required<
  Omit<
    FloodOptions,
    'legit' | 'statsPattern' | 'serverPid' | 'data' | 'onProgress' | 'signal' | 'identity'
  >
> {
  identity: string;
  data: unknown;
  legit: Required<LegitOptions> | undefined;
  statsPattern: string | undefined;
  serverPid: number | undefined;
  onProgress: ((line: string) => void) | undefined;
  signal: AbortSignal | undefined;
}

export class FloodOptionError extends Error {
  override readonly name = 'FloodOptionError';
}

function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new FloodOptionError(`--${name} must be a number from ${min} to ${max} (got ${value})`);
  }
  return value;
}

const isEventScenario = (o: FloodOptions) =>
  o.scenario === 'push-flood' || (o.socket === 'pull' && o.scenario !== 'dealer-flood');

export function resolveOptions(o: FloodOptions): ResolvedOptions {
  if (!SCENARIO_NAMES.includes(o.scenario)) {
    throw new FloodOptionError(
      `Unknown scenario '${String(o.scenario)}': one of ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  const socket = o.scenario === 'push-flood' ? 'pull' : (o.socket ?? 'router');
  if (socket === 'pull' && !['push-flood', 'malformed', 'oversize'].includes(o.scenario)) {
    throw new FloodOptionError(`--socket pull applies to push-flood, malformed and oversize only`);
  }
  const legit =
    o.legit === undefined || o.legit === false ? undefined : o.legit === true ? {} : o.legit;
  return {
    scenario: o.scenario,
    router: o.router ?? DEFAULT_ROUTER,
    pull: o.pull ?? DEFAULT_PULL,
    socket,
    pattern: o.pattern ?? (isEventScenario(o) ? DEFAULT_EVENT_PATTERN : DEFAULT_REQUEST_PATTERN),
    rate: bounded('rate', o.rate ?? 0, 0, 10_000_000),
    duration: bounded('duration', o.duration ?? 5, 0.01, MAX_DURATION_S),
    count: Math.floor(bounded('count', o.count ?? MAX_COUNT, 1, MAX_COUNT)),
    size: Math.floor(
      bounded('size', o.size ?? (o.scenario === 'oversize' ? 2 * 1024 * 1024 : 64), 0, MAX_SIZE),
    ),
    data: o.data,
    connections: Math.floor(bounded('connections', o.connections ?? 100, 1, MAX_CONNECTIONS)),
    perIdentity: Math.floor(bounded('per-identity', o.perIdentity ?? 1, 1, 1_000_000)),
    identity: o.identity ?? `flood-${process.pid}`,
    hwm: Math.floor(bounded('hwm', o.hwm ?? 1000, 0, 1_000_000)),
    sendTimeoutMs: Math.floor(bounded('send-timeout', o.sendTimeoutMs ?? 500, 0, 60_000)),
    lingerMs: Math.floor(bounded('linger', o.lingerMs ?? 1000, 0, 60_000)),
    graceMs: Math.floor(bounded('grace', o.graceMs ?? 1000, 0, 60_000)),
    seed: Math.floor(bounded('seed', o.seed ?? 1, 0, 2 ** 32 - 1)),
    legit:
      legit === undefined
        ? undefined
        : {
            pattern: legit.pattern ?? DEFAULT_REQUEST_PATTERN,
            rate: bounded('legit-rate', legit.rate ?? 20, 0.1, 100_000),
            data: legit.data ?? {},
            timeoutMs: bounded('legit-timeout', legit.timeoutMs ?? 2000, 1, 60_000),
          },
    statsPattern: o.statsPattern,
    serverPid:
      o.serverPid === undefined ? undefined : bounded('server-pid', o.serverPid, 1, 2 ** 31),
    allowRemote: o.allowRemote ?? false,
    onProgress: o.onProgress,
    signal: o.signal,
  };
}
