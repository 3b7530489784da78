import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, ClientsModule, EventPattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import { MathController, received } from './fixtures/math.controller.js';
import { ipcEndpoint, tcpEndpoint } from './support/endpoints.js';
import { startClient, startServer } from './support/nest.js';
import { countOutcomes, outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

const topics: Record<string, unknown[]> = { orders: [], audit: [] };

@Controller()
class TopicController {
  @EventPattern('orders.created')
  created(@Payload() data: unknown): void {
    topics.orders.push(data);
  }

  @EventPattern('audit')
  audit(@Payload() data: unknown): void {
    topics.audit.push(data);
  }
}

describe('events over PUB/SUB, over the DEALER, and in a hybrid app', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
    received.events.length = 0;
    topics.orders.length = 0;
    topics.audit.length = 0;
  });

  it('a SUB socket receives the topics it subscribed to, and only those', async () => {
    const pub = await tcpEndpoint();
    const publisher = await startClient({ pub: { bind: pub } });
    cleanup.push(() => publisher.close());
    const running = await startServer({ sub: { connect: pub, topics: ['orders.'] } }, [
      TopicController,
    ]);
    cleanup.push(() => running.app.close());
    // PUB drops messages until the subscription has travelled: the slow-joiner of ZeroMQ.
    await waitFor(() => running.server.connectedPeers.sub === 1, 'the subscriber to connect');
    await sleep(100);
    for (let i = 0; i < 10; i++) {
      await firstValueFrom(publisher.emit('orders.created', { i }), {
        defaultValue: undefined,
      });
      await firstValueFrom(publisher.emit('audit', { i }), {
        defaultValue: undefined,
      });
    }
    await waitFor(() => topics.orders.length === 10, '10 order events');
    expect(topics.orders).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
    expect(topics.audit).toEqual([]);
    expect(running.server.stats.sockets.sub.received).toBe(10);
  });

  it('emit() goes over the DEALER when the client has no push or pub socket', async () => {
    const router = ipcEndpoint();
    const running = await startServer({ router: { bind: router } }, [MathController]);
    cleanup.push(() => running.app.close());
    const client = await startClient({ dealer: { connect: router } });
    cleanup.push(() => client.close());
    await firstValueFrom(client.emit('notify', { via: 'dealer' }), {
      defaultValue: undefined,
    });
    await waitFor(() => received.events.length === 1, 'the event');
    expect(received.events).toEqual([{ via: 'dealer' }]);
  });

  it('serves ZeroMQ and HTTP side by side in a hybrid app, with the client from ClientsModule', async () => {
    const router = ipcEndpoint();
    @Controller()
    class HttpController {
      @Get('ping')
      ping(): string {
        return 'pong';
      }
    }
    @Module({
      imports: [
        ClientsModule.register([
          {
            name: 'MATH',
            customClass: ZmqClient,
            options: { dealer: { connect: router } },
          },
        ]),
      ],
      controllers: [MathController, HttpController],
    })
    class HybridModule {}
    const app = await NestFactory.create(HybridModule, { logger: false });
    app.connectMicroservice({
      strategy: new ZmqServer({ router: { bind: router } }),
    });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    cleanup.push(() => app.close());
    const url = await app.getUrl();
    await expect(fetch(`${url}/ping`).then((r) => r.text())).resolves.toBe('pong');
    const client = app.get<ZmqClient>('MATH');
    await expect(firstValueFrom(client.send('sum', [3, 4]))).resolves.toBe(7);
  });

  it('module limits reach the ZmqServer of a hybrid app, even when started before app.init()', async () => {
    const router = ipcEndpoint();
    @Module({
      imports: [RateLimitModule.forRoot({ patterns: { sum: { limit: 2, per: '1m' } } })],
      controllers: [MathController],
    })
    class LimitedHybridModule {}
    const app = await NestFactory.create(LimitedHybridModule, { logger: false });
    const server = new ZmqServer({ router: { bind: router } });
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    cleanup.push(() => app.close());
    const client = await startClient({ dealer: { connect: router } });
    cleanup.push(() => client.close());
    const outcomes = await Promise.all([1, 2, 3].map((i) => outcome(client.send('sum', [i]))));
    expect(countOutcomes(outcomes)).toEqual({ ok: 2, limited: 1, other: 0 });
    expect(server.admissionGates.router).toBeDefined();
  });

  it('ClientProxyFactory builds a ZmqClient from customClass', async () => {
    const router = ipcEndpoint();
    const running = await startServer({ router: { bind: router } }, [MathController]);
    cleanup.push(() => running.app.close());
    const client = ClientProxyFactory.create({
      customClass: ZmqClient,
      options: { dealer: { connect: router } },
    });
    cleanup.push(async () => client.close());
    expect(client).toBeInstanceOf(ZmqClient);
    await expect(firstValueFrom(client.send('sum', [1, 1]))).resolves.toBe(2);
  });
});
