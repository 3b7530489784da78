import { connect } from 'node:net';

/**
 * Does a peer server answer on host:port within `timeoutMs`? Optionally writes `hello` first and
 * waits for the first bytes back. Resolves with a skip reason, or undefined when it answered.
 * Never rejects and never outlives its timeout, so a missing NATS or Redis cannot hang the run.
 */
export function probeTcp(
  host: string,
  port: number,
  name: string,
  hello?: string,
  timeoutMs = 1_000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(
      () => done(`${name} did not answer on ${host}:${port} within ${timeoutMs} ms`),
      timeoutMs,
    );
    socket.once('error', (error) =>
      done(`${name} not reachable on ${host}:${port}: ${error.message}`),
    );
    socket.once('connect', () => {
      if (hello !== undefined) socket.write(hello);
    });
    socket.once('data', () => done(undefined));
  });
}

/** host and port of a `scheme://[user:pass@]host:port[/db]` URL, with defaults. */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port) || defaultPort };
}
