import type { Handlers } from '../ipc.js';
import { PAYLOAD } from '../payload.js';
import type { BenchEnv, PairScenario } from '../scenario.js';
import { cpuMicros, LatencyRecorder, type LatencySummary, monotonicMs } from '../stats.js';

/** A load loop gives up after this many failures: a broken peer must end the run, not spin it. */
const MAX_ERRORS = 100;

export interface LoadResult extends Partial<LatencySummary> {
  completed: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  cpuUs: number;
}

export interface EmitResult {
  sent: number;
  errors: number;
  firstError?: string;
  /** Monotonic ms (comparable with the server's clock) when the first emit started. */
  t0: number;
  t1: number;
  cpuUs: number;
}

/**
 * The client child. `load`: a closed loop of `concurrency` workers, each awaiting one request
 * at a time, for `seconds`; latency is per request, send to reply. `emit`: workers awaiting
 * `window` emits at a time, for `seconds` or until `count` were accepted.
 */
export async function clientRole(
  scenario: Pick<PairScenario, 'client'>,
  env: BenchEnv,
): Promise<{ handlers: Handlers; close: () => Promise<void> }> {
  const client = await scenario.client(env);
  const expected = JSON.stringify(PAYLOAD);

  const load = async (
    seconds: number,
    concurrency: number,
    record: boolean,
  ): Promise<LoadResult> => {
    const latencies = new LatencyRecorder();
    let completed = 0;
    let errors = 0;
    let firstError: string | undefined;
    const cpu0 = cpuMicros();
    const start = performance.now();
    const end = start + seconds * 1000;
    const worker = async (): Promise<void> => {
      while (performance.now() < end && errors < MAX_ERRORS) {
        const sentAt = performance.now();
        try {
          const reply = await client.request(PAYLOAD);
          const us = (performance.now() - sentAt) * 1000;
          // One check per run that the echo really echoes (a transport returning nothing would look fast).
          if (completed === 0 && JSON.stringify(reply) !== expected)
            throw new Error(`bad echo: ${JSON.stringify(reply)}`);
          completed++;
          if (record) latencies.add(us);
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsedMs = performance.now() - start;
    const summary = record ? latencies.summary() : {};
    return { completed, errors, firstError, elapsedMs, cpuUs: cpuMicros() - cpu0, ...summary };
  };

  const emit = async (
    window: number,
    seconds: number | undefined,
    count: number | undefined,
  ): Promise<EmitResult> => {
    let issued = 0;
    let sent = 0;
    let errors = 0;
    let firstError: string | undefined;
    const end = performance.now() + (seconds ?? 0) * 1000;
    const more = count !== undefined ? () => issued < count : () => performance.now() < end;
    const cpu0 = cpuMicros();
    const t0 = monotonicMs();
    const worker = async (): Promise<void> => {
      while (more() && errors < MAX_ERRORS) {
        issued++;
        try {
          await client.emit(PAYLOAD);
          sent++;
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    return { sent, errors, firstError, t0, t1: monotonicMs(), cpuUs: cpuMicros() - cpu0 };
  };

  const handlers: Handlers = {
    load: async (c) => load(Number(c.seconds), Number(c.concurrency), c.record === true),
    emit: async (c) =>
      emit(Number(c.window), c.seconds as number | undefined, c.count as number | undefined),
  };
  return { handlers, close: () => client.close() };
}
