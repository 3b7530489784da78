import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { hostPort, probeTcp } from '../probe.js';
import { installNatsAlias, natsClientPackage } from '../shims/nats-alias.js';
import { transportScenarios } from './define.js';
import { nestClient, startNestServer } from './nest-app.js';

/** Nest's NATS transport (core NATS through the broker: two hops per message). */
export const nestNatsScenarios = transportScenarios({
  transport: 'nest-nats',
  request: 'Nest NATS: ClientProxy.send → @MessagePattern echo (via nats-server)',
  event: 'Nest NATS: ClientProxy.emit → @EventPattern (via nats-server)',
  probe: async (env) => {
    if (natsClientPackage() === undefined)
      return 'neither @nats-io/transport-node nor nats is installed';
    const { host, port } = hostPort(env.natsUrl, 4222);
    // A NATS server greets every connection with INFO: no need to write anything.
    return probeTcp(host, port, 'NATS');
  },
  server: (env, onMessage) => {
    installNatsAlias();
    return startNestServer(
      { transport: Transport.NATS, options: { servers: [env.natsUrl] } },
      onMessage,
    );
  },
  client: (env) => {
    installNatsAlias();
    return nestClient(
      ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [env.natsUrl] } }),
    );
  },
});
