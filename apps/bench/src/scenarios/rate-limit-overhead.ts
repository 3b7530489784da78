import { Controller, Module, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RateLimit, RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import { clientRole } from '../roles/client.js';
import { serverRole } from '../roles/server.js';
import { requestPhase, warmRequests } from '../runner.js';
import type { BenchEnv, CustomScenario, RoleInstance } from '../scenario.js';
import { countMessage, nestClient, startNestServer } from './nest-app.js';
import {
  HUGE_RULE,
  interleave,
  listRounds,
  medianFigures,
  roundNotes,
  roundsFor,
} from './rate-limit-shared.js';

/**
 * What rules cost when they do not limit: Sluice request/reply at 100 in flight with
 * `RateLimitModule.forRoot({ sockets: { router }, peer, patterns: { echo } })` and
 * `@RateLimit` on the handler (four rules per message, none reached), against the same app
 * without RateLimitModule (the decorator alone enforces nothing). Both pairs run side by side
 * and are measured alternately (A B, B A, …); each figure is the median over the rounds.
 */
const ID = 'rate-limit.req@100';
const IN_FLIGHT = 100;

@Controller()
class LimitedEchoController {
  @RateLimit({ name: 'handler', ...HUGE_RULE })
  @MessagePattern('echo')
  echo(@Payload() data: unknown): unknown {
    countMessage();
    return data;
  }
}

@Module({
  imports: [
    RateLimitModule.forRoot({
      sockets: { router: HUGE_RULE },
      peer: HUGE_RULE,
      patterns: { echo: HUGE_RULE },
    }),
  ],
  controllers: [LimitedEchoController],
})
class WithRulesModule {}

@Module({ controllers: [LimitedEchoController] })
class WithoutRulesModule {}

/** Side A on the first port with the rules, side B on the second without. */
const SIDES = {
  rules: { port: 0, module: WithRulesModule },
  none: { port: 1, module: WithoutRulesModule },
};

function server(side: keyof typeof SIDES): (env: BenchEnv) => Promise<RoleInstance> {
  const { port, module } = SIDES[side];
  return (env) =>
    serverRole(
      {
        server: (e, onMessage) =>
          startNestServer(
            { strategy: new ZmqServer({ router: { bind: `tcp://${e.host}:${e.ports[port]}` } }) },
            onMessage,
            module as Type,
          ),
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
          nestClient(
            new ZmqClient({
              dealer: { connect: `tcp://${e.host}:${e.ports[port]}` },
              timeout: 10_000,
            }),
          ),
      },
      env,
    );
}

export const rateLimitOverheadScenario: CustomScenario = {
  id: ID,
  transport: 'rate-limit',
  kind: 'custom',
  description: 'Sluice request/reply @100 with rules that never limit vs without RateLimitModule',
  roles: {
    'server:rules': server('rules'),
    'server:none': server('none'),
    'client:rules': client('rules'),
    'client:none': client('none'),
  },
  run: async (ctx) => {
    const { warmupSeconds, seconds } = ctx.config;
    const serverA = await ctx.fork('server:rules');
    const clientA = await ctx.fork('client:rules');
    const serverB = await ctx.fork('server:none');
    const clientB = await ctx.fork('client:none');
    await warmRequests(clientA, IN_FLIGHT, warmupSeconds);
    await warmRequests(clientB, IN_FLIGHT, warmupSeconds);
    const rounds = roundsFor(ctx.config);
    const [a, b] = await interleave(rounds, [
      () => requestPhase(serverA, clientA, IN_FLIGHT, seconds),
      () => requestPhase(serverB, clientB, IN_FLIGHT, seconds),
    ]);
    const describe = (what: string) =>
      `Sluice ZmqClient.send → ZmqServer (ROUTER) echo, ${IN_FLIGHT} in flight, ${what}; median of ${rounds} interleaved rounds of ${seconds} s`;
    const note = (outcomes: typeof a) =>
      [
        `msg/s per round: ${listRounds(outcomes.map((o) => o.figures.throughput ?? 0))}`,
        ...roundNotes(outcomes),
      ].join('; ');
    return [
      {
        id: `${ID}.rules`,
        description: describe(
          'RateLimitModule with socket, peer and pattern rules plus @RateLimit, limits 1e9/s (never reached)',
        ),
        inFlight: IN_FLIGHT,
        figures: medianFigures(a),
        note: note(a),
      },
      {
        id: `${ID}.none`,
        description: describe('same app without RateLimitModule'),
        inFlight: IN_FLIGHT,
        figures: medianFigures(b),
        note: note(b),
      },
    ];
  },
  // Four Nest boots, two warm-ups, then 2 × rounds measured phases (+ marks).
  budgetSeconds: (config) => 20 + 2 * config.warmupSeconds + 2 * 5 * (config.seconds + 1),
};
