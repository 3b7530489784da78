import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import { transportScenarios } from './define.js';
import { nestClient, startNestServer } from './nest-app.js';

/**
 * Sluice as an application uses it: ZmqServer as the strategy of a real Nest microservice
 * (ROUTER for @MessagePattern, PULL for @EventPattern), ZmqClient through Nest's ClientProxy API.
 */
export const sluiceScenarios = transportScenarios({
  transport: 'sluice',
  request: 'Sluice: ZmqClient.send → ZmqServer (ROUTER) in Nest, @MessagePattern echo',
  event: 'Sluice: ZmqClient.emit (PUSH) → ZmqServer (PULL) in Nest, @EventPattern',
  server: (env, onMessage) =>
    startNestServer(
      {
        strategy: new ZmqServer({
          router: { bind: `tcp://${env.host}:${env.ports[0]}` },
          pull: { bind: `tcp://${env.host}:${env.ports[1]}` },
        }),
      },
      onMessage,
    ),
  client: (env) =>
    nestClient(
      new ZmqClient({
        dealer: { connect: `tcp://${env.host}:${env.ports[0]}` },
        push: { connect: `tcp://${env.host}:${env.ports[1]}` },
        timeout: 10_000,
      }),
    ),
});
