/** Socket and peer budgets of the demo, in messages per second. */
export interface DemoLimits {
  /** Whole ROUTER socket (queries and control): over it, requests are rejected. */
  routerPerSecond: number;
  /** Whole PULL socket (ingestion): over it, reading pauses and ZeroMQ pushes back on senders. */
  pullPerSecond: number;
  /** Each DEALER peer on the ROUTER: over it, that peer's requests are rejected. */
  peerPerSecond: number;
}

/** The demo's embedded defaults; each can be overridden from the environment. */
export interface DemoConfig {
  routerEndpoint: string;
  pullEndpoint: string;
  httpPort: number;
  httpHost: string;
  limits: DemoLimits;
}

export const DEFAULT_LIMITS: Readonly<DemoLimits> = {
  routerPerSecond: 2_000,
  pullPerSecond: 5_000,
  peerPerSecond: 200,
};

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (messages per second; got '${raw}')`);
  }
  return value;
}

export function demoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const httpPort = Number(env.PORT ?? 3000);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65_535) {
    throw new Error(`PORT must be a port number from 0 to 65535 (got '${env.PORT}')`);
  }
  return {
    routerEndpoint: env.SLUICE_ROUTER ?? 'tcp://127.0.0.1:5555',
    pullEndpoint: env.SLUICE_PULL ?? 'tcp://127.0.0.1:5556',
    httpPort,
    httpHost: env.HOST ?? '127.0.0.1',
    limits: {
      routerPerSecond: positiveInt(env, 'SLUICE_ROUTER_LIMIT', DEFAULT_LIMITS.routerPerSecond),
      pullPerSecond: positiveInt(env, 'SLUICE_PULL_LIMIT', DEFAULT_LIMITS.pullPerSecond),
      peerPerSecond: positiveInt(env, 'SLUICE_PEER_LIMIT', DEFAULT_LIMITS.peerPerSecond),
    },
  };
}
