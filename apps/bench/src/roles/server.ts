import { setTimeout as sleep } from 'node:timers/promises';
import type { Handlers } from '../ipc.js';
import type { BenchEnv, PairScenario } from '../scenario.js';
import { cpuMicros, monotonicMs } from '../stats.js';

export interface ServerSnapshot {
  count: number;
  /** Messages that reached the server, refused ones included (= count unless the server says). */
  received: number;
  cpuUs: number;
  rssMb: number;
  t: number;
  reached?: boolean;
}

/**
 * The server child: starts the scenario's server, counts what arrives, and answers
 * `mark` (CPU, RSS, count now), `waitFor` (resolves when the count reaches a total, with the
 * monotonic time of the message that reached it: the end of an event run) and `waitReceived`
 * (the same for messages received, refused ones included).
 */
export async function serverRole(
  scenario: Pick<PairScenario, 'server'>,
  env: BenchEnv,
): Promise<{ handlers: Handlers; close: () => Promise<void> }> {
  let count = 0;
  let target = Number.POSITIVE_INFINITY;
  let onTarget: ((t: number) => void) | undefined;
  const onMessage = (): void => {
    if (++count === target) onTarget?.(monotonicMs());
  };
  const server = await scenario.server(env, onMessage);

  const received = server.received?.bind(server) ?? (() => count);
  const snapshot = (): ServerSnapshot => ({
    count,
    received: received(),
    cpuUs: cpuMicros(),
    rssMb: process.memoryUsage.rss() / 2 ** 20,
    t: monotonicMs(),
  });

  const handlers: Handlers = {
    mark: async () => snapshot(),
    waitFor: async (command) => {
      const want = Number(command.count);
      if (count >= want) return { ...snapshot(), reached: true };
      let timer: NodeJS.Timeout | undefined;
      const reachedAt = await new Promise<number | undefined>((resolve) => {
        target = want;
        onTarget = resolve;
        timer = setTimeout(() => resolve(undefined), Number(command.timeoutMs));
      });
      clearTimeout(timer);
      target = Number.POSITIVE_INFINITY;
      onTarget = undefined;
      return { ...snapshot(), reached: reachedAt !== undefined, t: reachedAt ?? monotonicMs() };
    },
    // Polls (every 2 ms, only until reached): refused messages call no hook.
    waitReceived: async (command) => {
      const want = Number(command.count);
      const deadline = performance.now() + Number(command.timeoutMs);
      while (received() < want && performance.now() < deadline) await sleep(2);
      return { ...snapshot(), reached: received() >= want };
    },
  };
  return { handlers, close: () => server.close() };
}
