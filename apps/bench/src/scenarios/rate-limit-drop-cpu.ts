import { Controller, Module, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RateLimitModule } from '@sluice/rate-limit';
import { MessageKind, WIRE_VERSION, ZmqServer } from '@sluice/zeromq';
import { Pull, Push } from 'zeromq';
import type { ChildLink } from '../ipc.js';
import { clientRole, type EmitResult } from '../roles/client.js';
import { type ServerSnapshot, serverRole } from '../roles/server.js';
import { CALL_SLACK_MS, type Outcome } from '../runner.js';
import type { BenchClient, BenchEnv, CustomScenario, RoleInstance } from '../scenario.js';
import { countMessage, startNestServer } from './nest-app.js';
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
 * parsed); run C, for reference, a bare zeromq.js PULL receive loop (the floor every
 * zeromq.js server pays). Server CPU (process.cpuUsage of the server child, every thread) per event received,
 * from a mark before the client starts to the moment the server received everything it sent.
 * The three pairs run side by side and are measured in rotation; figures are medians over rounds.
 */
const ID = 'rate-limit.drop-cpu';
/** zeromq.js allows one pending send per socket. */
const WINDOW = 1;
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
  receive: { port: 2, module: undefined },
};

/**
 * The floor, for reference: a bare zeromq.js PULL that only receives (no frame check, no
 * admission, no Nest). What it costs per event is what any server on zeromq.js pays.
 */
function receiveOnlyServer(env: BenchEnv): Promise<RoleInstance> {
  return serverRole(
    {
      server: async (e, onMessage) => {
        const pull = new Pull();
        await pull.bind(`tcp://${e.host}:${e.ports[SIDES.receive.port]}`);
        let received = 0;
        void (async () => {
          while (!pull.closed) {
            const frames = await pull.receive().catch(() => undefined);
            if (frames === undefined) continue;
            received++;
            onMessage();
          }
        })();
        return { received: () => received, close: async () => pull.close() };
      },
    },
    env,
  );
}

function server(side: 'handled' | 'dropped'): (env: BenchEnv) => Promise<RoleInstance> {
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

/**
 * A bare zeromq.js PUSH writing Sluice event frames ([header, pattern, body]), one send at a
 * time: it costs the sender a few µs per event, so the server, not the sender, sets the pace
 * (as in a flood), and the server's CPU per event is not inflated by idle wake-ups.
 */
function client(side: keyof typeof SIDES): (env: BenchEnv) => Promise<RoleInstance> {
  const { port } = SIDES[side];
  const header = Buffer.from([WIRE_VERSION, MessageKind.Event]);
  return (env) =>
    clientRole(
      {
        client: async (e): Promise<BenchClient> => {
          const push = new Push();
          push.connect(`tcp://${e.host}:${e.ports[port]}`);
          return {
            request: () => Promise.reject(new Error('events only')),
            emit: (payload) => push.send([header, 'evt', JSON.stringify(payload)]),
            close: async () => push.close(),
          };
        },
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
    'server:receive': receiveOnlyServer,
    'client:receive': client('receive'),
  },
  run: async (ctx) => {
    const { warmupSeconds, seconds } = ctx.config;
    const serverA = await ctx.fork('server:handled');
    const clientA = await ctx.fork('client:handled');
    const serverB = await ctx.fork('server:dropped');
    const clientB = await ctx.fork('client:dropped');
    const serverC = await ctx.fork('server:receive');
    const clientC = await ctx.fork('client:receive');
    await dropPhase(serverA, clientA, warmupSeconds);
    await dropPhase(serverB, clientB, warmupSeconds);
    await dropPhase(serverC, clientC, warmupSeconds);
    const rounds = roundsFor(ctx.config);
    const [a, b, c] = await interleave(rounds, [
      () => dropPhase(serverA, clientA, seconds),
      () => dropPhase(serverB, clientB, seconds),
      () => dropPhase(serverC, clientC, seconds),
    ]);
    const describe = (what: string) =>
      `bare zeromq.js PUSH sending Sluice event frames as fast as the server takes them → ZmqServer (PULL) @EventPattern, ${what}; msg/s = events received; server CPU per event received; median of ${rounds} interleaved rounds of ${seconds} s`;
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
      {
        id: `${ID}.receive-only`,
        description: describe(
          'reference: a bare zeromq.js PULL receive loop in place of ZmqServer (no checks, no admission, no Nest)',
        ).replace('ZmqServer (PULL) @EventPattern', 'zeromq.js PULL'),
        inFlight: WINDOW,
        figures: figures(c),
        note: note(c).replace(/; events handled per round: [^;]*/, ''),
      },
    ];
  },
  budgetSeconds: (config) => 30 + 3 * (config.warmupSeconds + 3) + 3 * 5 * (config.seconds + 3),
};
