import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { killAllChildren } from './ipc.js';
import { buildJson, consoleReport, markdownReport } from './report.js';
import { baseResult, runScenario } from './runner.js';
import type { ScenarioResult } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

/**
 * `npm run bench` [-- --quick] [--seconds=N] [--only=sluice,nest-tcp.req] [--profile=server]
 * Env: BENCH_SECONDS, BENCH_WARMUP, BENCH_TIMEOUT (s), BENCH_OUT (dir), BENCH_PROFILE_DIR,
 * NATS_URL, REDIS_URL. Runs every scenario in fresh child processes, one after the other (two
 * cores: one for the server child, one for the client child), then prints and writes the report.
 */
const config = loadConfig();
const started = performance.now();
// Other work on the machine skews every figure: the load average is part of the report.
const loadAtStart = loadavg();
const results: ScenarioResult[] = [];

function finish(code: number): never {
  killAllChildren();
  const wall = (performance.now() - started) / 1000;
  console.log(`\n${consoleReport(results)}\n`);
  mkdirSync(config.outDir, { recursive: true });
  writeFileSync(
    join(config.outDir, 'results.json'),
    `${JSON.stringify(buildJson(results, config, wall, loadAtStart), null, 2)}\n`,
  );
  writeFileSync(join(config.outDir, 'results.md'), markdownReport(results, config, loadAtStart));
  console.log(
    `Wrote ${join(config.outDir, 'results.json')} and results.md (${wall.toFixed(0)} s).`,
  );
  process.exit(code);
}

// Bounded no matter what: past the global timeout every child is killed and what was measured is written.
const globalTimer = setTimeout(() => {
  console.error(`\nGlobal timeout (${config.globalTimeoutMs / 1000} s): killing every child.`);
  finish(2);
}, config.globalTimeoutMs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const selected = SCENARIOS.filter(
    (s) => config.only.length === 0 || config.only.some((o) => s.id.includes(o)),
  );
  console.log(
    `Sluice bench: ${selected.length} scenarios, ${config.warmupSeconds} s warm-up + ${config.seconds} s each, ` +
      `global timeout ${config.globalTimeoutMs / 1000} s${config.profile ? `, profiling the ${config.profile} child into ${config.profileDir}` : ''}`,
  );
  const skipReasons = new Map<string, string | undefined>(); // probed once per transport
  for (const scenario of selected) {
    const env = {
      host: config.host,
      ports: [0, 0, 0],
      natsUrl: config.natsUrl,
      redisUrl: config.redisUrl,
    };
    if (scenario.probe && !skipReasons.has(scenario.transport))
      skipReasons.set(scenario.transport, await scenario.probe(env));
    const skip = skipReasons.get(scenario.transport);
    const t0 = performance.now();
    const rows =
      skip !== undefined
        ? [baseResult(scenario, 'skipped', skip)]
        : await runScenario(scenario, config);
    results.push(...rows);
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    for (const result of rows) {
      const what =
        result.status !== 'ok'
          ? `${result.status}: ${result.note}`
          : result.throughput !== null
            ? `${Math.round(result.throughput).toLocaleString('en-US')} msg/s`
            : result.p99Us !== null
              ? `p99 ${Math.round(result.p99Us).toLocaleString('en-US')} µs`
              : `${(result.serverCpuUsPerMsg ?? NaN).toFixed(1)} server CPU µs/msg`;
      console.log(`  ${result.id.padEnd(22)} ${what}  (${took} s)`);
    }
  }
}

main().then(
  () => {
    clearTimeout(globalTimer);
    finish(0);
  },
  (error: unknown) => {
    console.error(error);
    finish(1);
  },
);
