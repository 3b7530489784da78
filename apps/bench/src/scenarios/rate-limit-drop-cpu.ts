import { Controller, Module, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import type { ChildLink } from '../ipc.js';
import { clientRole, type EmitResult } from '../roles/client.js';
import { type ServerSnapshot, serverRole } from '../roles/server.js';
import { CALL_SLACK_MS, type Outcome } from '../runner.js';
import type { BenchEnv, CustomScenario, RoleInstance } from '../scenario.js';
import { countMessage, nestClient, startNestServer } from './nest-app.js';
import {
  interleave,
  listRounds,
  medianFigures,
  roundNotes,
  roundsFor,
} from './rate-limit-shared.js';

/**
 * What a dropped message costs the server, against a handled one: a PULL server with an
 * @EventPattern handler, run A without any limit (every event parsed and handled), run B with
 * a socket rule of 1 event/s, action drop (nearly every event refused before its body is
 * parsed). Server CPU (process.cpuUsage of the server child, every thread) per event received,
 * from a mark before the client starts to the moment the server received everything it sent.
 * Both pairs run side by side and are measured alternately; figures are medians over rounds.
 */
const ID = 'rate-limit.drop-cpu';
const WINDOW = 100;
const TINY_RULE = { limit: 1, per: '1s', action: 'drop' } as const;

@Controller()
class EventController {
  @EventPattern('evt')
  event(@Payload() _data: unknown): void {
    countMessage();
  }
}

@Module({ controllers: [EventController] })
class HandledModule {}

@Module({
  imports: [RateLimitModule.forRoot({ sockets: { pull: TINY_RULE } })],
  controllers: [EventController],
})
class DroppedModule {}

const SIDES = {
  handled: { port: 0, module: HandledModule },
  dropped: { port: 1, module: DroppedModule },
};

function server(side: keyof typeof SIDES): (env: BenchEnv) => Promise<RoleInstance> {
  const { port, module } = SIDES[side];
  return (env) =>
    serverRole(
      {
        server: async (e, onMessage) => {
          const strategy = new ZmqServer({ pull: { bind: `tcp://${e.host}:${e.ports[port]}` } });
          const app = await startNestServer({ strategy }, onMessage, module as Type);
          return { received: () => strategy.stats.sockets.pull.received, close: () => app.close() };
        },
      },
      env,
    );
}

function client(side: keyof typeof SIDES): (env: BenchEnv) => Promise<RoleInstance> {
  const { port } = SIDES[side];
  return (env) =>
    clientRole(
      {
        client: (e) =>
          nestClient(new ZmqClient({ push: { connect: `tcp://${e.host}:${e.ports[port]}` } })),
      },
      env,
    );
}

/** The client emits for `seconds`; the server's CPU is read before and once all has arrived. */
async function dropPhase(server: ChildLink, client: ChildLink, seconds: number): Promise<Outcome> {
  const before = await server.call<ServerSnapshot>({ cmd: 'mark' }, 5_000);
  const run = await client.call<EmitResult>(
    { cmd: 'emit', window: WINDOW, seconds },
    seconds * 1000 + CALL_SLACK_MS,
  );
  const end = await server.call<ServerSnapshot>(
    { cmd: 'waitReceived', count: before.received + run.sent, timeoutMs: 10_000 },
    15_000,
  );
  const received = end.received - before.received;
  if (received <= 0) throw new Error(`no event received: ${run.firstError ?? 'no emit error'}`);
  const notes: string[] = [];
  if (!end.reached) notes.push(`${run.sent - received} of ${run.sent} events not received`);
  if (run.errors > 0) notes.push(`${run.errors} emit errors, first: ${run.firstError}`);
  return {
    figures: {
      throughput: received / ((end.t - run.t0) / 1000),
      serverRssMb: end.rssMb,
      serverCpuUsPerMsg: (end.cpuUs - before.cpuUs) / received,
      clientCpuUsPerMsg: run.cpuUs / Math.max(1, run.sent),
      // Events that reached the handler (all in run A, about one per second in run B).
      messages: end.count - before.count,
    },
    note: notes.length > 0 ? notes.join('; ') : undefined,
  };
}

export const rateLimitDropCpuScenario: CustomScenario = {
  id: ID,
  transport: 'rate-limit',
  kind: 'custom',
  description: 'Server CPU per event: dropped by a rate limit vs handled',
  roles: {
    'server:handled': server('handled'),
    'server:dropped': server('dropped'),
    'client:handled': client('handled'),
    'client:dropped': client('dropped'),
  },
  run: async (ctx) => {
    const { warmupSeconds, seconds } = ctx.config;
    const serverA = await ctx.fork('server:handled');
    const clientA = await ctx.fork('client:handled');
    const serverB = await ctx.fork('server:dropped');
    const clientB = await ctx.fork('client:dropped');
    await dropPhase(serverA, clientA, warmupSeconds);
    await dropPhase(serverB, clientB, warmupSeconds);
    const rounds = roundsFor(ctx.config);
    const [a, b] = await interleave(
      rounds,
      () => dropPhase(serverA, clientA, seconds),
      () => dropPhase(serverB, clientB, seconds),
    );
    const describe = (what: string) =>
      `Sluice ZmqClient.emit (PUSH, ${WINDOW} awaited at a time) → ZmqServer (PULL) @EventPattern, ${what}; msg/s = events received; server CPU per event received; median of ${rounds} interleaved rounds of ${seconds} s`;
    const note = (outcomes: Outcome[]) =>
      [
        `server CPU µs/event per round: ${listRounds(
          outcomes.map((o) => o.figures.serverCpuUsPerMsg ?? 0),
          2,
        )}`,
        `events handled per round: ${listRounds(outcomes.map((o) => o.figures.messages ?? 0))}`,
        ...roundNotes(outcomes),
      ].join('; ');
    // Handled counts go in the note: the table's "messages" column would read as events received.
    const figures = (outcomes: Outcome[]) => ({
      ...medianFigures(outcomes),
      messages: null,
    });
    return [
      {
        id: `${ID}.handled`,
        description: describe('no RateLimitModule: every event parsed and handled'),
        inFlight: WINDOW,
        figures: figures(a),
        note: note(a),
      },
      {
        id: `${ID}.dropped`,
        description: describe(
          "RateLimitModule.forRoot({ sockets: { pull: { limit: 1, per: '1s', action: 'drop' } } }): nearly every event dropped before parsing",
        ),
        inFlight: WINDOW,
        figures: figures(b),
        note: note(b),
      },
    ];
  },
  budgetSeconds: (config) => 20 + 2 * (config.warmupSeconds + 3) + 2 * 5 * (config.seconds + 3),
};
