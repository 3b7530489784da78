import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dealer, Push } from 'zeromq';
import type { MalformedReason, ZmqClient } from '@sluice/zeromq';
import { MathController, received } from './fixtures/math.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { badEvent, badRequest, seededRandom } from './support/malformed.js';
import { type RunningServer, startClient, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

const COUNT = 24_000;

function tally(reasons: MalformedReason[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

describe('fuzz: malformed multipart messages from raw zeromq sockets', () => {
  let running: RunningServer;
  let client: ZmqClient;
  const router = ipcEndpoint('fuzz-router');
  const pull = ipcEndpoint('fuzz-pull');

  beforeAll(async () => {
    running = await startServer({ router: { bind: router }, pull: { bind: pull } }, [
      MathController,
    ]);
    client = await startClient({
      dealer: { connect: router },
      push: { connect: pull },
    });
  });
  afterAll(async () => {
    await client.close();
    await running.app.close();
  });

  it(`counts and drops ${COUNT} malformed requests, answers those with an id, and keeps serving`, async () => {
    const random = seededRandom(0x5eed);
    // receiveTimeout: the reader stops once the server has been quiet for a while, so a reply
    // the server does not owe would be seen and fail the count.
    const raw = new Dealer({
      receiveHighWaterMark: 0,
      sendHighWaterMark: 0,
      receiveTimeout: 1_000,
    });
    raw.connect(router);
    const expected: MalformedReason[] = [];
    let repliesOwed = 0;
    let repliesSeen = 0;
    const replyCodes = new Set<string>();
    const reading = (async () => {
      for (;;) {
        const reply = await raw.receive().catch(() => undefined);
        if (reply === undefined) return;
        repliesSeen++;
        replyCodes.add(JSON.parse(reply[2].toString()).code);
      }
    })();
    const messages = Array.from({ length: COUNT }, (_, n) => badRequest(random, n));
    repliesOwed = messages.filter((m) => m.replied).length;
    for (const message of messages) {
      expected.push(message.reason);
      await raw.send(message.frames);
    }
    const stats = running.server.stats.sockets.router;
    await waitFor(
      () => stats.malformedTotal === COUNT,
      `${COUNT} malformed messages to be counted`,
      15_000,
    );
    expect(stats.malformed).toMatchObject(tally(expected));
    await reading;
    expect(repliesSeen).toBe(repliesOwed);
    expect([...replyCodes]).toEqual(['MALFORMED']);
    raw.close();

    await expect(firstValueFrom(client.send('sum', [20, 22]))).resolves.toBe(42);
  });

  it('counts and drops malformed events on PULL, and still delivers good ones', async () => {
    const random = seededRandom(42);
    const raw = new Push();
    raw.connect(pull);
    const expected: MalformedReason[] = [];
    const total = 6_000;
    for (let n = 0; n < total; n++) {
      const message = badEvent(random, n);
      expected.push(message.reason);
      await raw.send(message.frames);
    }
    const stats = running.server.stats.sockets.pull;
    await waitFor(
      () => stats.malformedTotal === total,
      `${total} malformed events to be counted`,
      15_000,
    );
    expect(stats.malformed).toMatchObject(tally(expected));
    raw.close();

    received.events.length = 0;
    await firstValueFrom(client.emit('notify', { still: 'alive' }), {
      defaultValue: undefined,
    });
    await waitFor(() => received.events.length === 1, 'the good event');
    expect(received.events).toEqual([{ still: 'alive' }]);
  });
});
