import {
  type AdmissionGate,
  buildAdmissionGate,
  type RateLimitModuleOptions,
  Verdict,
} from '@sluice/rate-limit';
import { CALL_SLACK_MS } from '../runner.js';
import type { CustomScenario, ResultRow, RunConfig } from '../scenario.js';
import { cpuMicros, median } from '../stats.js';
import { HUGE_RULE, listRounds, roundsFor } from './rate-limit-shared.js';

/**
 * Admission decisions per second, in one process and one run: Sluice's `AdmissionGate` (memory
 * store) against rate-limiter-flexible's `RateLimiterMemory`, as each is called by its users.
 *
 * Same key pattern for every variant: 1 000 peer keys (10 hex characters, like the routing ids
 * ZmqServer turns into peer keys) taken in turn, and limits no variant reaches, so every
 * decision admits. Each variant runs chunks of 1 000 decisions; after a warm-up, every round
 * runs every variant for the same time, the order rotating from one round to the next, and a
 * variant's figure is the median over the rounds. Decisions/s is wall clock; CPU µs/decision
 * (process.cpuUsage, in the "client CPU" column) is less sensitive to other work on the machine.
 */
const KEY_COUNT = 1_000;
const CHUNK = 1_000;
const ID = 'rate-limit.decisions';

interface Variant {
  id: string;
  description: string;
  /** Makes CHUNK decisions. */
  chunk(): void | Promise<void>;
  /** Decisions that did not admit (must stay 0: the limits are out of reach). */
  refused(): number;
}

interface RoundFigures {
  decisions: number;
  rate: number;
  cpuUsPerDecision: number;
}

const KEYS = Array.from({ length: KEY_COUNT }, (_, i) =>
  (0x8000_0000 + i).toString(16).padStart(10, '0'),
);

function gateVariant(id: string, description: string, options: RateLimitModuleOptions): Variant {
  const gate: AdmissionGate = buildAdmissionGate({
    socket: 'router',
    socketKind: 'router',
    options,
    handlers: [{ pattern: 'echo', isEvent: false }],
  });
  let k = 0;
  let refused = 0;
  return {
    id,
    description: `${description} (${gate.rules().length} rule${gate.rules().length === 1 ? '' : 's'})`,
    chunk: () => {
      for (let i = 0; i < CHUNK; i++) {
        // As ZmqServer.admit calls it: the clock is read per message.
        if (gate.admit('echo', KEYS[k], performance.now()) !== Verdict.Admit) refused++;
        k = k + 1 === KEY_COUNT ? 0 : k + 1;
      }
    },
    refused: () => refused,
  };
}

/** rate-limiter-flexible variants, or the reason they cannot run (it is a devDependency). */
async function flexibleVariants(): Promise<Variant[] | string> {
  let mod: typeof import('rate-limiter-flexible');
  try {
    mod = await import('rate-limiter-flexible');
  } catch (error) {
    return `rate-limiter-flexible not installed (${String(error)})`;
  }
  const { RateLimiterMemory } = mod;
  const limiter = (prefix: string) =>
    new RateLimiterMemory({ keyPrefix: prefix, points: HUGE_RULE.limit, duration: 1 });
  let refused = 0;
  const count = () => refused++;
  const one = limiter('one');
  const batch = limiter('batch');
  const [socket, peer, pattern] = [limiter('socket'), limiter('peer'), limiter('pattern')];
  let k1 = 0;
  let k3 = 0;
  let kb = 0;
  return [
    {
      id: `${ID}.flexible-1`,
      description: 'rate-limiter-flexible RateLimiterMemory: await consume(peerKey), one at a time',
      chunk: async () => {
        for (let i = 0; i < CHUNK; i++) {
          await one.consume(KEYS[k1]).catch(count);
          k1 = k1 + 1 === KEY_COUNT ? 0 : k1 + 1;
        }
      },
      refused: () => refused,
    },
    {
      id: `${ID}.flexible-3`,
      description:
        "rate-limiter-flexible: await Promise.all of 3 RateLimiterMemory.consume ('*', peerKey, 'echo'), not all-or-nothing",
      chunk: async () => {
        for (let i = 0; i < CHUNK; i++) {
          await Promise.all([
            socket.consume('*'),
            peer.consume(KEYS[k3]),
            pattern.consume('echo'),
          ]).catch(count);
          k3 = k3 + 1 === KEY_COUNT ? 0 : k3 + 1;
        }
      },
      refused: () => refused,
    },
    {
      id: `${ID}.flexible-raw`,
      description:
        'rate-limiter-flexible: consume(peerKey) without awaiting each (raw call + promise creation; last of 1 000 awaited)',
      chunk: async () => {
        let last: Promise<unknown> | undefined;
        for (let i = 0; i < CHUNK; i++) {
          last = batch.consume(KEYS[kb]);
          kb = kb + 1 === KEY_COUNT ? 0 : kb + 1;
        }
        await last?.catch(count);
      },
      refused: () => refused,
    },
  ];
}

async function measure(variant: Variant, ms: number): Promise<RoundFigures> {
  let n = 0;
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await variant.chunk();
    n += CHUNK;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return { decisions: n, rate: n / (elapsed / 1000), cpuUsPerDecision: (cpuMicros() - cpu0) / n };
}

async function runDecisions(
  config: RunConfig & { quick: boolean },
): Promise<{ rows: ResultRow[] }> {
  const variants: Variant[] = [
    gateVariant(`${ID}.gate-1`, 'Sluice AdmissionGate, memory store: admit(echo, peerKey)', {
      peer: HUGE_RULE,
    }),
    gateVariant(
      `${ID}.gate-3`,
      'Sluice AdmissionGate, memory store: socket + peer + pattern rules, all-or-nothing',
      { sockets: { router: HUGE_RULE }, peer: HUGE_RULE, patterns: { echo: HUGE_RULE } },
    ),
  ];
  const flexible = await flexibleVariants();
  if (typeof flexible !== 'string') variants.push(...flexible);
  const rounds = roundsFor(config);
  const roundMs = Math.max(100, (config.seconds * 1000) / rounds);
  // Warm-up: every variant for the warm-up time, in two passes (JIT tiers, steady key tables).
  const warmMs = Math.max(100, config.warmupSeconds * 1000);
  for (let pass = 0; pass < 2; pass++) for (const v of variants) await measure(v, warmMs / 2);
  const figures = variants.map((): RoundFigures[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < variants.length; j++) {
      const i = (round + j) % variants.length;
      figures[i].push(await measure(variants[i], roundMs));
    }
  }
  const rows = variants.map((v, i): ResultRow => {
    const rates = figures[i].map((f) => f.rate);
    const cpu = median(figures[i].map((f) => f.cpuUsPerDecision));
    const notes = [
      `${(cpu * 1000).toFixed(0)} ns CPU/decision; decisions/s per round: ${listRounds(rates)}`,
    ];
    if (v.refused() > 0) notes.push(`${v.refused()} decisions refused (expected none)`);
    if (typeof flexible === 'string' && i === 0) notes.push(flexible);
    return {
      id: v.id,
      description: `${v.description}; 1 000 keys in turn; median of ${rounds} rounds of ${(roundMs / 1000).toFixed(1)} s`,
      figures: {
        throughput: median(rates),
        clientCpuUsPerMsg: cpu,
        messages: figures[i].reduce((total, f) => total + f.decisions, 0),
      },
      note: notes.join('; '),
    };
  });
  return { rows };
}

export const rateLimitDecisionsScenario: CustomScenario = {
  id: ID,
  transport: 'rate-limit',
  kind: 'custom',
  description: 'Admission decisions per second: Sluice AdmissionGate vs rate-limiter-flexible',
  roles: {
    solo: async () => ({
      handlers: {
        run: (c) => runDecisions(c as unknown as RunConfig & { quick: boolean }),
      },
      close: async () => undefined,
    }),
  },
  run: async (ctx) => {
    const solo = await ctx.fork('solo');
    const { rows } = await solo.call<{ rows: ResultRow[] }>(
      { cmd: 'run', ...ctx.config },
      rateLimitDecisionsScenario.budgetSeconds(ctx.config) * 1000,
    );
    return rows;
  },
  // Five variants: warm-up (twice half the warm-up each) + the measured time each, plus slack.
  budgetSeconds: (config) => 5 * (config.warmupSeconds + config.seconds) + CALL_SLACK_MS / 1000,
};
