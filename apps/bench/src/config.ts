import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Everything a run can be told, from argv and the environment (see README section in main.ts). */
export interface BenchConfig {
  warmupSeconds: number;
  seconds: number;
  quick: boolean;
  /** Only scenarios whose id contains one of these (comma-separated --only=...). */
  only: string[];
  /** Kills everything and exits past this, whatever is running. */
  globalTimeoutMs: number;
  /**
   * `--profile=<role>`: children of that role run with --cpu-prof, profiles written to profileDir.
   * server, client, solo, or a custom scenario's role; `server` also matches `server:<side>`.
   */
  profile: string | undefined;
  profileDir: string;
  outDir: string;
  host: string;
  natsUrl: string;
  redisUrl: string;
}

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(prefix));
  if (arg === undefined) return undefined;
  return arg.startsWith(prefix) ? arg.slice(prefix.length) : '';
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed > 0
    ? parsed
    : fallback;
}

export function loadConfig(): BenchConfig {
  const quick = flag('quick') !== undefined;
  const seconds = positive(flag('seconds') ?? process.env.BENCH_SECONDS, quick ? 1 : 3);
  const warmupSeconds = positive(flag('warmup') ?? process.env.BENCH_WARMUP, quick ? 0.5 : 1);
  const profile = flag('profile') ?? process.env.BENCH_PROFILE;
  if (profile === '') throw new Error('--profile needs a role: --profile=server');
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  return {
    warmupSeconds,
    seconds,
    quick,
    only: (flag('only') ?? process.env.BENCH_ONLY ?? '').split(',').filter((s) => s !== ''),
    // ~6 minutes on 2 cores for the default run (the rate-limit scenarios run several rounds);
    // the cap is 10 minutes, longer windows get proportionally more.
    globalTimeoutMs:
      positive(process.env.BENCH_TIMEOUT, Math.max(600, 30 * (seconds + warmupSeconds + 6))) * 1000,
    profile,
    profileDir: process.env.BENCH_PROFILE_DIR ?? join(tmpdir(), 'sluice-bench-profiles'),
    outDir: process.env.BENCH_OUT ?? `${repoRoot}bench`,
    host: '127.0.0.1',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
