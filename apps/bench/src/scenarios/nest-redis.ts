import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { hostPort, probeTcp } from '../probe.js';
import { transportScenarios } from './define.js';
import { nestClient, startNestServer } from './nest-app.js';

/** ioredis options from REDIS_URL (redis://[user:pass@]host:port[/db]). */
function redisOptions(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  const { host, port } = hostPort(url, 6379);
  const db = Number(parsed.pathname.slice(1));
  return {
    host,
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    // A vanished Redis must fail the scenario, not retry forever.
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  };
}

/** Nest's Redis transport (pub/sub through the broker: two hops per message). */
export const nestRedisScenarios = transportScenarios({
  transport: 'nest-redis',
  request: 'Nest Redis: ClientProxy.send → @MessagePattern echo (via Redis pub/sub)',
  event: 'Nest Redis: ClientProxy.emit → @EventPattern (via Redis pub/sub)',
  probe: (env) => {
    const { host, port } = hostPort(env.redisUrl, 6379);
    // Any reply (+PONG, or -NOAUTH when a password is needed) proves a Redis answers.
    return probeTcp(host, port, 'Redis', 'PING\r\n');
  },
  server: (env, onMessage) =>
    startNestServer({ transport: Transport.REDIS, options: redisOptions(env.redisUrl) }, onMessage),
  client: (env) =>
    nestClient(
      ClientProxyFactory.create({
        transport: Transport.REDIS,
        options: redisOptions(env.redisUrl),
      }),
    ),
});
