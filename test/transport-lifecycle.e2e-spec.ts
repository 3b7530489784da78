import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Push } from 'zeromq';
import { ZmqClient, ZmqRequestError, ZmqServer, ZmqStatus } from '@sluice/zeromq';
import { MathController, received } from './fixtures/math.controller.js';
import { ipcEndpoint, tcpEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

describe('ZmqServer and ZmqClient lifecycle', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });
  const track = (running: RunningServer) => {
    cleanup.push(() => running.app.close());
    return running;
  };
  const trackClient = (client: ZmqClient) => {
    cleanup.push(() => client.close());
    return client;
  };

  it('survives the server restarting: the request in flight fails clearly, later ones succeed', async () => {
    const router = await tcpEndpoint();
    // drainTimeout 0: the server goes away as if it crashed, without finishing the slow handler.
    const first = await startServer({ router: { bind: router }, drainTimeout: 0 }, [
      MathController,
    ]);
    const client = trackClient(
      await startClient({
        dealer: { connect: router, reconnectInterval: 50 },
        timeout: 5_000,
      }),
    );
    await expect(firstValueFrom(client.send('sum', [1, 2]))).resolves.toBe(3);

    const inFlight = firstValueFrom(client.send('slow', 2_000));
    await waitFor(() => first.server.stats.inFlight === 1, 'the slow request to reach the handler');
    await first.app.close();
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZmqRequestError);
    expect((error as ZmqRequestError).code).toMatch(/CONNECTION_LOST|TIMEOUT/);

    const second = track(await startServer({ router: { bind: router } }, [MathController]));
    await expect(firstValueFrom(client.send('sum', [4, 5]))).resolves.toBe(9);
    expect(second.server.stats.sockets.router.handled).toBe(1);
  });

  it('times out with a clear error when no server answers', async () => {
    const client = trackClient(
      await startClient({
        dealer: { connect: await tcpEndpoint() },
        timeout: 200,
      }),
    );
    const started = Date.now();
    const error = await firstValueFrom(client.send('sum', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZmqRequestError);
    expect((error as ZmqRequestError).code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(client.inFlight).toBe(0);
  });

  it('close() on the client fails pending requests with a clear error', async () => {
    const router = ipcEndpoint();
    track(await startServer({ router: { bind: router } }, [MathController]));
    const client = new ZmqClient({ dealer: { connect: router } });
    const pending = firstValueFrom(client.send('slow', 1_000));
    await waitFor(() => client.inFlight === 1, 'the request to be pending');
    await client.close();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZmqRequestError);
    expect((error as ZmqRequestError).code).toBe('CLIENT_CLOSED');
  });

  it('shutdown lets in-flight handlers finish and flushes their replies', async () => {
    const router = ipcEndpoint();
    const running = await startServer({ router: { bind: router }, drainTimeout: 2_000 }, [
      MathController,
    ]);
    const client = trackClient(await startClient({ dealer: { connect: router } }));
    const replies = Promise.all([1, 2, 3].map((i) => firstValueFrom(client.send('slow', 100 * i))));
    await waitFor(() => running.server.stats.inFlight === 3, 'three requests in flight');
    const statuses: string[] = [];
    running.server.status.subscribe((s) => statuses.push(s));
    await running.app.close();
    await expect(replies).resolves.toEqual(['slept 100', 'slept 200', 'slept 300']);
    expect(statuses).toEqual([ZmqStatus.Listening, ZmqStatus.Closing, ZmqStatus.Closed]);
    expect(running.server.isListening).toBe(false);
  });

  it('shutdown gives up on a handler slower than drainTimeout instead of hanging', async () => {
    const router = ipcEndpoint();
    const running = await startServer({ router: { bind: router }, drainTimeout: 100 }, [
      MathController,
    ]);
    const client = trackClient(await startClient({ dealer: { connect: router }, timeout: 3_000 }));
    const reply = firstValueFrom(client.send('slow', 5_000)).catch((e: unknown) => e);
    await waitFor(() => running.server.stats.inFlight === 1, 'the request in flight');
    const started = Date.now();
    await running.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await reply).toBeInstanceOf(ZmqRequestError);
  });

  it('reports a bind failure from listen() with the endpoint in the message', async () => {
    const router = await tcpEndpoint();
    const holder = track(await startServer({ router: { bind: router } }, [MathController]));
    expect(holder.server.isListening).toBe(true);
    await expect(startServer({ router: { bind: router } }, [MathController])).rejects.toThrow(
      `cannot bind the router socket to ${router}`,
    );
  });

  it('unwrap() throws before listen and returns the sockets after', async () => {
    const server = new ZmqServer({ router: { bind: ipcEndpoint() } });
    expect(() => server.unwrap()).toThrow(/not listening/);
    const router = ipcEndpoint();
    const running = track(
      await startServer({ router: { bind: router }, pull: { bind: ipcEndpoint() } }, [
        MathController,
      ]),
    );
    const sockets = running.server.unwrap<{
      router: { closed: boolean };
      pull: { closed: boolean };
    }>();
    expect(sockets.router.closed).toBe(false);
    expect(sockets.pull.closed).toBe(false);
  });

  it('reports peers connecting and disconnecting through on()', async () => {
    const router = ipcEndpoint();
    const server = new ZmqServer({ router: { bind: router } });
    const events: string[] = [];
    server.on('peer:connected', (e) => events.push(`up:${e.socket}`));
    server.on('peer:disconnected', (e) => events.push(`down:${e.socket}`));
    const { Test } = await import('@nestjs/testing');
    const moduleRef = await Test.createTestingModule({
      controllers: [MathController],
    }).compile();
    const app = moduleRef.createNestMicroservice({
      strategy: server,
      logger: false,
    });
    await app.listen();
    cleanup.push(() => app.close());
    const client = await startClient({ dealer: { connect: router } });
    await firstValueFrom(client.send('sum', [1]));
    await waitFor(() => events.includes('up:router'), 'the connect event');
    expect(server.connectedPeers.router).toBe(1);
    await client.close();
    await waitFor(() => events.includes('down:router'), 'the disconnect event');
    expect(server.connectedPeers.router).toBe(0);
  });

  it('answers every request of a batch, and counts a batch that does not divide into requests', async () => {
    const router = ipcEndpoint();
    const running = track(await startServer({ router: { bind: router } }, [MathController]));
    const raw = new Dealer();
    raw.connect(router);
    cleanup.push(async () => raw.close());
    const batch = Buffer.from([1, 6]);
    await raw.send([batch, 'a', 'sum', '[1,2]', 'b', 'sum', '[3,4]']);
    // The two replies come back as two messages or as one reply batch (kind 7): read both forms.
    const replies: string[] = [];
    while (replies.length < 2) {
      const [header, ...rest] = await raw.receive();
      const items = header[1] === 7 ? rest : [header, ...rest];
      for (let at = 0; at < items.length; at += 3) {
        replies.push(`${items[at + 1].toString()}=${items[at + 2].toString()}`);
      }
    }
    expect(replies).toEqual(['a=3', 'b=7']);
    await raw.send([batch, 'c', 'sum']);
    const stats = running.server.stats.sockets.router;
    await waitFor(() => stats.malformed.frame_count === 1, 'the bad batch to be counted');
    expect(stats.batches).toBe(1);
    expect(stats.handled).toBe(2);
  });

  it('events emitted together travel in event batches, in order; a bad event batch is counted', async () => {
    received.order.length = 0;
    const pull = ipcEndpoint();
    const running = track(await startServer({ pull: { bind: pull } }, [MathController]));
    const client = trackClient(await startClient({ push: { connect: pull } }));
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        firstValueFrom(client.emit('ordered', i), { defaultValue: undefined }),
      ),
    );
    await waitFor(() => received.order.length === 500, '500 events');
    expect(received.order).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const stats = running.server.stats.sockets.pull;
    expect(stats.batches).toBeGreaterThan(0);
    const raw = new Push();
    raw.connect(pull);
    cleanup.push(async () => raw.close());
    await raw.send([Buffer.from([1, 9]), 'ordered']);
    await waitFor(() => stats.malformed.frame_count === 1, 'the bad event batch to be counted');
  });

  it('ZmqClient reports its connections through on()', async () => {
    const router = ipcEndpoint();
    const running = await startServer({ router: { bind: router } }, [MathController]);
    const client = new ZmqClient({ dealer: { connect: router } });
    trackClient(client);
    const events: string[] = [];
    client.on('connected', (e) => events.push(`connected:${e.socket}`));
    client.on('disconnected', (e) => events.push(`disconnected:${e.socket}`));
    await expect(firstValueFrom(client.send('sum', [1, 2]))).resolves.toBe(3);
    await waitFor(() => events.includes('connected:dealer'), 'the connected event');
    await running.app.close();
    await waitFor(() => events.includes('disconnected:dealer'), 'the disconnected event');
  });

  it('binds several endpoints, tcp and ipc, and serves clients on each', async () => {
    const endpoints = [await tcpEndpoint(), ipcEndpoint()];
    track(await startServer({ router: { bind: endpoints } }, [MathController]));
    for (const endpoint of endpoints) {
      const client = trackClient(await startClient({ dealer: { connect: endpoint } }));
      await expect(firstValueFrom(client.send('sum', [endpoint.length]))).resolves.toBe(
        endpoint.length,
      );
    }
  });

  it('streams from several handlers to several clients at once', async () => {
    const router = ipcEndpoint();
    track(await startServer({ router: { bind: router } }, [MathController]));
    const clients = await Promise.all(
      [1, 2, 3].map(() => startClient({ dealer: { connect: router } })),
    );
    clients.forEach(trackClient);
    const results = await Promise.all(
      clients.map((c, i) => lastValueFrom(c.send('stream', 3 + i).pipe(toArray()))),
    );
    expect(results).toEqual([
      [0, 1, 2],
      [0, 1, 2, 3],
      [0, 1, 2, 3, 4],
    ]);
  });
});
