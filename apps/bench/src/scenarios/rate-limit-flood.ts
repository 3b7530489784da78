import { Module, type Type } from '@nestjs/common';
import { RateLimitModule } from '@sluice/rate-limit';
import { MessageKind, WIRE_VERSION, ZmqClient, ZmqServer } from '@sluice/zeromq';
import { Dealer } from 'zeromq';
import { setTimeout as sleep } from 'node:timers/promises';
import { PAYLOAD } from '../payload.js';
import { type ServerSnapshot, serverRole } from '../roles/server.js';
import { CALL_SLACK_MS } from '../runner.js';
import type {
  BenchClient,
  BenchEnv,
  CustomScenario,
  ResultRow,
  RoleInstance,
} from '../scenario.js';
import { cpuMicros, LatencyRecorder, summarize } from '../stats.js';
import { EchoController, nestClient, startNestServer } from './nest-app.js';

/**
 * A legitimate client's latency while another peer floods: a ROUTER server with
 * `RateLimitModule.forRoot({ peer: { limit: L, per: '1s' } })` (action reject). The legit
 * client sends L/2 requests per second, one at a time, on a fixed schedule (a late reply makes
 * the next send immediate), and records send → reply latency. Phase 1 it is alone; phase 2 a
 * flooder in another process sends 10 × L requests per second on a paced schedule (at most
 * MAX_FLOOD_IN_FLIGHT unanswered) over a bare DEALER, so that 90 % of them are rejected. Rounds alternate
 * the two phases; each row pools the samples of its phase over the rounds.
 */
const ID = 'rate-limit.flood';
const PEER_LIMIT = 1_000;
const LEGIT_RATE = PEER_LIMIT / 2;
const FLOOD_RATE = PEER_LIMIT * 10;
const MAX_FLOOD_IN_FLIGHT = 5_000;
/** The flooder starts this long before the legit phase and stops this long after. */
const FLOOD_LEAD_MS = 500;

@Module({
  imports: [RateLimitModule.forRoot({ peer: { limit: PEER_LIMIT, per: '1s' } })],
  controllers: [EchoController],
})
class PeerLimitedModule {}

interface PacedResult {
  samples: number[];
  sent: number;
  errors: number;
  firstError?: string;
  /** Sends that left more than one interval after their slot (the previous reply was late). */
  late: number;
  elapsedMs: number;
}

interface FloodResult {
  issued: number;
  /** Not `ok`: that name is the IPC reply's own success flag. */
  admitted: number;
  rateLimited: number;
  otherErrors: number;
  firstOther?: string;
  /** Sends skipped because MAX_FLOOD_IN_FLIGHT requests were unanswered. */
  capped: number;
  elapsedMs: number;
  cpuUs: number;
}

const zmqClient = (env: BenchEnv): Promise<BenchClient> =>
  nestClient(
    new ZmqClient({ dealer: { connect: `tcp://${env.host}:${env.ports[0]}` }, timeout: 10_000 }),
  );

/** One request at a time on the schedule t0 + i / rate. */
async function paced(client: BenchClient, rate: number, seconds: number): Promise<PacedResult> {
  const interval = 1000 / rate;
  const latencies = new LatencyRecorder();
  let sent = 0;
  let errors = 0;
  let late = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let i = 0; errors < 100; i++) {
    const slot = t0 + i * interval;
    if (slot >= end) break;
    const wait = slot - performance.now();
    if (wait >= 1) await sleep(wait);
    else if (wait < -interval) late++;
    const sentAt = performance.now();
    sent++;
    try {
      await client.request(PAYLOAD);
      latencies.add((performance.now() - sentAt) * 1000);
    } catch (error) {
      errors++;
      firstError ??= String(error);
    }
  }
  const samples = Array.from(latencies.values());
  return { samples, sent, errors, firstError, late, elapsedMs: performance.now() - t0 };
}

/**
 * The flooder speaks the wire protocol on a bare zeromq.js DEALER (what an abusive peer would
 * do), so that on a small machine its own CPU takes as little as possible from the server and
 * the legit client: `rate` requests per second on a paced schedule, replies read and sorted.
 */
async function floodRole(env: BenchEnv): Promise<RoleInstance> {
  const dealer = new Dealer();
  dealer.connect(`tcp://${env.host}:${env.ports[0]}`);
  const header = Buffer.from([WIRE_VERSION, MessageKind.Request]);
  const body = Buffer.from(JSON.stringify(PAYLOAD));
  const pattern = Buffer.from('echo');
  let admitted = 0;
  let rateLimited = 0;
  let otherErrors = 0;
  let firstOther: string | undefined;
  void (async () => {
    while (!dealer.closed) {
      const frames = await dealer.receive().catch(() => undefined);
      if (frames === undefined) continue;
      const kind = frames[0][1];
      if (kind === MessageKind.Complete || kind === MessageKind.Next) admitted++;
      else if (kind === MessageKind.Error && frames[2]?.includes('RATE_LIMITED')) rateLimited++;
      else {
        otherErrors++;
        firstOther ??= `kind ${kind}: ${frames[2]?.toString('utf8').slice(0, 200)}`;
      }
    }
  })();
  let nextId = 0;
  const run = async (rate: number, seconds: number): Promise<FloodResult> => {
    const start = { admitted, rateLimited, otherErrors };
    const answered = () => admitted + rateLimited + otherErrors;
    let issued = 0;
    let capped = 0;
    const base = answered();
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    for (let now = t0; now < end; now = performance.now()) {
      const due = Math.floor(((now - t0) * rate) / 1000);
      while (issued + capped < due) {
        if (issued - (answered() - base) >= MAX_FLOOD_IN_FLIGHT) {
          capped++;
          continue;
        }
        issued++;
        await dealer.send([header, (nextId++).toString(36), pattern, body]);
      }
      await sleep(1);
    }
    const drainEnd = performance.now() + 5_000;
    while (answered() - base < issued && performance.now() < drainEnd) await sleep(5);
    return {
      issued,
      admitted: admitted - start.admitted,
      rateLimited: rateLimited - start.rateLimited,
      otherErrors: otherErrors - start.otherErrors,
      firstOther,
      capped,
      elapsedMs: performance.now() - t0,
      cpuUs: cpuMicros() - cpu0,
    };
  };
  return {
    handlers: { run: async (c) => run(Number(c.rate), Number(c.seconds)) },
    close: async () => dealer.close(),
  };
}

function clientRoleOf<T extends object>(
  run: (client: BenchClient, rate: number, seconds: number) => Promise<T>,
) {
  return async (env: BenchEnv) => {
    const client = await zmqClient(env);
    return {
      handlers: {
        run: async (c: Record<string, unknown>) => run(client, Number(c.rate), Number(c.seconds)),
      },
      close: () => client.close(),
    };
  };
}

function legitRow(
  id: string,
  what: string,
  results: PacedResult[],
  rounds: number,
  seconds: number,
): ResultRow {
  const all = Float64Array.from(results.flatMap((r) => r.samples));
  const summary = summarize(all);
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const late = results.reduce((n, r) => n + r.late, 0);
  const elapsed = results.reduce((n, r) => n + r.elapsedMs, 0);
  const notes = [`legit max ${Math.round(summary.max).toLocaleString('en-US')} µs`];
  if (late > 0) notes.push(`${late} of ${sent} legit sends left late (previous reply slow)`);
  if (errors > 0)
    notes.push(`${errors} legit errors, first: ${results.find((r) => r.firstError)?.firstError}`);
  return {
    id,
    description: `Legit ZmqClient: ${LEGIT_RATE}/s, one at a time, to a ROUTER with a peer limit of ${PEER_LIMIT}/s (reject); ${what}; latencies of ${rounds} phase(s) of ${seconds} s pooled`,
    inFlight: 1,
    figures: {
      throughput: sent / (elapsed / 1000),
      p50Us: all.length > 0 ? summary.p50 : null,
      p99Us: all.length > 0 ? summary.p99 : null,
      p999Us: all.length > 0 ? summary.p999 : null,
      messages: all.length,
    },
    note: notes.join('; '),
  };
}

export const rateLimitFloodScenario: CustomScenario = {
  id: ID,
  transport: 'rate-limit',
  kind: 'custom',
  description: "A legit client's latency while another peer floods at 10× its limit",
  roles: {
    server: (env) =>
      serverRole(
        {
          server: async (e, onMessage) => {
            const strategy = new ZmqServer({ router: { bind: `tcp://${e.host}:${e.ports[0]}` } });
            const app = await startNestServer({ strategy }, onMessage, PeerLimitedModule as Type);
            return {
              received: () => strategy.stats.sockets.router.received,
              close: () => app.close(),
            };
          },
        },
        env,
      ),
    legit: clientRoleOf(paced),
    flooder: floodRole,
  },
  run: async (ctx) => {
    const { warmupSeconds, quick } = ctx.config;
    const seconds = Math.max(2, ctx.config.seconds);
    const rounds = quick ? 1 : 2;
    const server = await ctx.fork('server');
    const legit = await ctx.fork('legit');
    const flooder = await ctx.fork('flooder');
    const legitPhase = (s: number) =>
      legit.call<PacedResult>(
        { cmd: 'run', rate: LEGIT_RATE, seconds: s },
        s * 1000 + CALL_SLACK_MS,
      );
    const floodPhase = (s: number) =>
      flooder.call<FloodResult>(
        { cmd: 'run', rate: FLOOD_RATE, seconds: s },
        s * 1000 + CALL_SLACK_MS,
      );
    await Promise.all([legitPhase(warmupSeconds), floodPhase(warmupSeconds)]);
    const unloaded: PacedResult[] = [];
    const loaded: PacedResult[] = [];
    const floods: FloodResult[] = [];
    let serverRate = 0;
    for (let round = 0; round < rounds; round++) {
      unloaded.push(await legitPhase(seconds));
      const floodRun = floodPhase(seconds + (2 * FLOOD_LEAD_MS) / 1000);
      await sleep(FLOOD_LEAD_MS);
      const before = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
      loaded.push(await legitPhase(seconds));
      const after = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
      serverRate = Math.max(
        serverRate,
        (after.received - before.received) / ((after.t - before.t) / 1000),
      );
      floods.push(await floodRun);
    }
    const sum = (pick: (f: FloodResult) => number) => floods.reduce((n, f) => n + pick(f), 0);
    const floodSeconds = sum((f) => f.elapsedMs) / 1000;
    const floodNote = [
      `flooder: ${Math.round(sum((f) => f.issued) / floodSeconds).toLocaleString('en-US')} req/s issued (target ${FLOOD_RATE.toLocaleString('en-US')})`,
      `${sum((f) => f.admitted).toLocaleString('en-US')} admitted, ${sum((f) => f.rateLimited).toLocaleString('en-US')} RATE_LIMITED`,
      `server received up to ${Math.round(serverRate).toLocaleString('en-US')} msg/s`,
      `flooder (bare DEALER) CPU ${(
        sum((f) => f.cpuUs) /
        Math.max(
          1,
          sum((f) => f.issued),
        )
      ).toFixed(1)} µs/req`,
    ];
    if (sum((f) => f.capped) > 0)
      floodNote.push(`${sum((f) => f.capped)} flood sends skipped (in-flight cap)`);
    if (sum((f) => f.otherErrors) > 0)
      floodNote.push(
        `${sum((f) => f.otherErrors)} other flood errors, first: ${floods.find((f) => f.firstOther)?.firstOther}`,
      );
    const loadedRow = legitRow(
      `${ID}.loaded`,
      `with a flooder at ${FLOOD_RATE.toLocaleString('en-US')} req/s (10× the limit) from another process`,
      loaded,
      rounds,
      seconds,
    );
    loadedRow.note = [loadedRow.note, ...floodNote].join('; ');
    return [legitRow(`${ID}.unloaded`, 'alone', unloaded, rounds, seconds), loadedRow];
  },
  budgetSeconds: (config) => 20 + config.warmupSeconds + 2 * (2 * Math.max(2, config.seconds) + 8),
};
