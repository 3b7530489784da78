import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { transportScenarios } from './define.js';
import { nestClient, startNestServer } from './nest-app.js';

/** Nest's built-in TCP transport: the baseline Sluice has to beat. */
export const nestTcpScenarios = transportScenarios({
  transport: 'nest-tcp',
  request: 'Nest TCP: ClientProxy.send → @MessagePattern echo',
  event: 'Nest TCP: ClientProxy.emit → @EventPattern',
  server: (env, onMessage) =>
    startNestServer(
      { transport: Transport.TCP, options: { host: env.host, port: env.ports[0] } },
      onMessage,
    ),
  client: (env) =>
    nestClient(
      ClientProxyFactory.create({
        transport: Transport.TCP,
        options: { host: env.host, port: env.ports[0] },
      }),
    ),
});
