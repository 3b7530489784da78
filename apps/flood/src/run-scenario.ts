import { ZmqClient } from '@sluice/zeromq';
import { firstValueFrom } from 'rxjs';
import { Context } from 'zeromq';
import { Counters } from './counters.js';
import { LegitClient } from './legit-client.js';
import { type FloodOptions, resolveOptions } from './options.js';
import { buildReport, progressLine, type Report } from './report.js';
import type { ScenarioContext } from './scenario-context.js';
import { SCENARIOS } from './scenarios/index.js';
import { ServerProbe } from './server-probe.js';
import { checkTarget } from './target.js';

export type { FloodOptions } from './options.js';
export type { Report } from './report.js';

/** Past the run's duration and reply grace, this much more before everything is aborted. */
const HARD_STOP_SLACK_MS = 15_000;
const STATS_TIMEOUT_MS = 2_000;
const PROGRESS_EVERY_MS = 250;

/**
 * Runs one attack scenario against a Sluice endpoint and reports what the attacker saw. Usable
 * in-process (tests) as well as from the command line. Refuses non-loopback targets unless
 * `allowRemote`. Always ends: by count, by duration, by `signal`, or by a hard timeout.
 */
export async function runScenario(input: FloodOptions): Promise<Report> {
  const options = resolveOptions(input);
  const { scenario, router, pull, socket, legit: legitOptions, statsPattern } = options;
  const usesRouter =
    socket === 'router' || legitOptions !== undefined || statsPattern !== undefined;
  if (usesRouter) await checkTarget(router, options.allowRemote);
  if (socket === 'pull') await checkTarget(pull, options.allowRemote);

  const counters = new Counters();
  const notes: string[] = [];
  const probe = options.serverPid === undefined ? undefined : new ServerProbe(options.serverPid);
  probe?.start();
  const serverStats: Report['serverStats'] = {};
  if (statsPattern) await askStats(router, statsPattern, serverStats, 'before');

  const legit = legitOptions ? new LegitClient(router, legitOptions) : undefined;
  await legit?.start();

  const hardStop = new AbortController();
  const durationMs = options.duration * 1000;
  const hardTimer = setTimeout(
    () => hardStop.abort(),
    durationMs + options.graceMs + HARD_STOP_SLACK_MS,
  );
  hardTimer.unref();
  const zmq = new Context({
    blocky: false,
    maxSockets: Math.max(1024, options.connections * 2 + 64),
  });
  const startedAt = new Date();
  const started = performance.now();
  const deadline = started + durationMs;
  const aborted = () => hardStop.signal.aborted || options.signal?.aborted === true;
  const ctx: ScenarioContext = {
    options,
    counters,
    deadline,
    zmq,
    notes,
    aborted,
    stopped: () => aborted() || performance.now() >= deadline,
  };
  legit?.run(deadline);
  const onProgress = options.onProgress;
  const ticker = onProgress
    ? setInterval(
        () => onProgress(progressLine(scenario, performance.now() - started, counters, legit)),
        PROGRESS_EVERY_MS,
      )
    : undefined;
  ticker?.unref();
  let ended: number;
  try {
    await SCENARIOS[scenario](ctx);
  } catch (error) {
    await legit?.stop().catch(() => undefined);
    probe?.stop();
    throw error;
  } finally {
    ended = performance.now();
    clearInterval(ticker);
    clearTimeout(hardTimer);
  }
  if (hardStop.signal.aborted) notes.push('stopped by the hard timeout');
  else if (options.signal?.aborted) notes.push('stopped early (aborted)');

  const report = buildReport(options, counters, startedAt, started, ended, notes);
  if (legit) report.legit = await legit.stop();
  if (statsPattern) {
    await askStats(router, statsPattern, serverStats, 'after');
    report.serverStats = serverStats;
  }
  if (probe) report.server = probe.stop();
  return report;
}

/** One request to the server's stats pattern, if it has one; failures are reported, not thrown. */
async function askStats(
  router: string,
  pattern: string,
  into: NonNullable<Report['serverStats']>,
  when: 'before' | 'after',
): Promise<void> {
  const client = new ZmqClient({ dealer: { connect: router }, timeout: STATS_TIMEOUT_MS });
  try {
    into[when] = await firstValueFrom(client.send(pattern, {}));
  } catch (error) {
    into.error = `${when}: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
  } finally {
    await client.close();
  }
}
