import type { Handlers } from '../ipc.js';
import type { BenchEnv, PairScenario } from '../scenario.js';
import { cpuMicros, monotonicMs } from '../stats.js';

export interface ServerSnapshot {
  count: number;
  cpuUs: number;
  rssMb: number;
  t: number;
  reached?: boolean;
}

/**
 * The server child: starts the scenario's server, counts what arrives, and answers
 * `mark` (CPU, RSS, count now) and `waitFor` (resolves when the count reaches a total, with the
 * monotonic time of the message that reached it: the end of an event run).
 */
export async function serverRole(
  scenario: PairScenario,
  env: BenchEnv,
): Promise<{ handlers: Handlers; close: () => Promise<void> }> {
  let count = 0;
  let target = Number.POSITIVE_INFINITY;
  let onTarget: ((t: number) => void) | undefined;
  const onMessage = (): void => {
    if (++count === target) onTarget?.(monotonicMs());
  };
  const server = await scenario.server(env, onMessage);

  const snapshot = (): ServerSnapshot => ({
    count,
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
  };
  return { handlers, close: () => server.close() };
}
