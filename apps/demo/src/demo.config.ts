/** The demo's embedded defaults; each can be overridden from the environment. */
export interface DemoConfig {
  routerEndpoint: string;
  pullEndpoint: string;
  httpPort: number;
  httpHost: string;
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
  };
}
