import { firstValueFrom, lastValueFrom, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ZmqClient, ZmqStatus } from '@sluice/zeromq';
import { MathController, received } from './fixtures/math.controller.js';
import { ipcEndpoint, tcpEndpoint } from './support/endpoints.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

describe.each([
  ['tcp', tcpEndpoint],
  ['ipc', async () => ipcEndpoint()],
])('ZmqServer and ZmqClient over %s', (_transport, endpoint) => {
  let running: RunningServer;
  let client: ZmqClient;

  beforeAll(async () => {
    const router = await endpoint();
    const pull = await endpoint();
    running = await startServer({ router: { bind: router }, pull: { bind: pull } }, [
      MathController,
    ]);
    client = await startClient({
      dealer: { connect: router },
      push: { connect: pull },
      timeout: 5_000,
    });
  });

  afterAll(async () => {
    await client.close();
    await running.app.close();
  });

  beforeEach(() => {
    received.events.length = 0;
    received.order.length = 0;
  });

  it('answers a request (sum of numbers)', async () => {
    await expect(firstValueFrom(client.send('sum', [1, 2, 3, 4]))).resolves.toBe(10);
  });

  it('matches object patterns whatever the key order, and async handlers', async () => {
    await expect(firstValueFrom(client.send({ async: true, cmd: 'sum' }, [5, 5]))).resolves.toBe(
      10,
    );
  });

  it('streams every value of an Observable, then completes', async () => {
    await expect(lastValueFrom(client.send('stream', 5).pipe(toArray()))).resolves.toEqual([
      0, 1, 2, 3, 4,
    ]);
    await expect(lastValueFrom(client.send('stream.array', {}).pipe(toArray()))).resolves.toEqual([
      1, 2, 3,
    ]);
  });

  it('completes without a value when the handler returns nothing', async () => {
    await expect(lastValueFrom(client.send('void', {}).pipe(toArray()))).resolves.toEqual([]);
  });

  it('round-trips JSON values of every shape', async () => {
    const value = {
      s: 'ünïcødé ✓',
      n: 1.5,
      b: false,
      nil: null,
      list: [1, 'two', { three: 3 }],
      empty: '',
    };
    await expect(firstValueFrom(client.send('echo', value))).resolves.toEqual(value);
    await expect(firstValueFrom(client.send('echo', ''))).resolves.toBe('');
    await expect(firstValueFrom(client.send('echo', 0))).resolves.toBe(0);
  });

  it('keeps many concurrent requests apart', async () => {
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => firstValueFrom(client.send('sum', [i, i]))),
    );
    expect(replies).toEqual(Array.from({ length: 500 }, (_, i) => 2 * i));
    expect(client.inFlight).toBe(0);
    // Requests queued at once travel in batch messages; each is still handled on its own.
    expect(running.server.stats.sockets.router.batches).toBeGreaterThan(0);
  });

  it('delivers an RpcException with its error object', async () => {
    await expect(firstValueFrom(client.send('rpc.error', {}))).rejects.toEqual({
      code: 'E_DOMAIN',
      message: 'domain rule broken',
    });
  });

  it("gives Nest's error for an unknown pattern", async () => {
    await expect(firstValueFrom(client.send('no.such.pattern', {}))).rejects.toMatchObject({
      status: 'error',
      message: 'There is no matching message handler defined in the remote service.',
    });
  });

  it('survives handlers that throw, sync or async, and keeps serving', async () => {
    await expect(firstValueFrom(client.send('crash', {}))).rejects.toMatchObject({
      status: 'error',
      message: 'Internal server error',
    });
    await expect(firstValueFrom(client.send('crash.async', {}))).rejects.toMatchObject({
      status: 'error',
    });
    await expect(firstValueFrom(client.send('sum', [2, 2]))).resolves.toBe(4);
  });

  it('delivers values streamed before an error, then the error', async () => {
    const seen: unknown[] = [];
    await expect(
      lastValueFrom(client.send('stream.error', {}), {
        defaultValue: undefined,
      }).catch((error: unknown) => {
        seen.push('error');
        throw error;
      }),
    ).rejects.toMatchObject({ message: 'stream broke' });
    const values: unknown[] = [];
    await new Promise<void>((resolve) =>
      client
        .send('stream.error', {})
        .subscribe({ next: (v) => values.push(v), error: () => resolve() }),
    );
    expect(values).toEqual([1]);
    expect(seen).toEqual(['error']);
  });

  it('turns an unserializable response into an error reply', async () => {
    await expect(firstValueFrom(client.send('circular', {}))).rejects.toMatchObject({
      status: 'error',
      message: expect.stringContaining('could not be serialized'),
    });
  });

  it('runs guards, pipes, interceptors and exception filters', async () => {
    await expect(firstValueFrom(client.send('guarded', { allow: false }))).rejects.toMatchObject({
      message: 'Forbidden resource',
    });
    await expect(firstValueFrom(client.send('guarded', { allow: true }))).resolves.toBe('let in');
    await expect(firstValueFrom(client.send('piped', { n: '21' }))).resolves.toBe(42);
    await expect(firstValueFrom(client.send('piped', { n: 'x' }))).rejects.toMatchObject({
      status: 'error',
    });
    await expect(firstValueFrom(client.send('intercepted', {}))).resolves.toEqual({ wrapped: 42 });
    await expect(firstValueFrom(client.send('filtered', {}))).rejects.toEqual({
      status: 'error',
      message: 'filtered',
      code: 418,
    });
  });

  it('gives handlers a ZmqContext with pattern, socket and peer', async () => {
    const ctx = (await firstValueFrom(client.send('context', {}))) as Record<string, unknown>;
    expect(ctx).toMatchObject({ pattern: 'context', socket: 'router' });
    expect(typeof ctx.peer).toBe('string');
    expect((ctx.peer as string).length).toBeGreaterThan(0);
  });

  it('delivers events over PUSH/PULL in order', async () => {
    for (let i = 0; i < 200; i++)
      await firstValueFrom(client.emit('ordered', i), {
        defaultValue: undefined,
      });
    await waitFor(() => received.order.length === 200, '200 events');
    expect(received.order).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('keeps handling events after an event handler throws', async () => {
    await firstValueFrom(client.emit('event.crash', {}), {
      defaultValue: undefined,
    });
    await firstValueFrom(client.emit('notify', { after: 'crash' }), {
      defaultValue: undefined,
    });
    await waitFor(() => received.events.length === 1, 'the event after the crash');
    expect(received.events).toEqual([{ after: 'crash' }]);
  });

  it('honours rxjs timeout and ignores the late reply', async () => {
    const before = client.unmatchedReplies;
    await expect(firstValueFrom(client.send('slow', 300).pipe(timeout(50)))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await waitFor(
      () => client.unmatchedReplies === before + 1,
      'the late reply to arrive and be ignored',
    );
    expect(client.inFlight).toBe(0);
    await expect(firstValueFrom(client.send('sum', [1]))).resolves.toBe(1);
  });

  it('reports status and counts what it handled', async () => {
    expect(running.server.isListening).toBe(true);
    await expect(firstValueFrom(running.server.status)).resolves.toBe(ZmqStatus.Listening);
    expect(running.server.stats.sockets.router.handled).toBeGreaterThan(0);
    expect(running.server.stats.sockets.pull.handled).toBeGreaterThan(0);
    expect(running.server.connectedPeers.router).toBeGreaterThanOrEqual(1);
  });
});
