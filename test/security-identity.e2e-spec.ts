import { readFile } from 'node:fs/promises';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import { MessageKind, WIRE_VERSION } from '@sluice/zeromq';
import {
  client,
  curveOf,
  expectNoReply,
  keys,
  paths,
  seen,
  server,
  useCurveSuite,
  whoami,
} from './support/curve.js';
import { tcpEndpoint } from './support/endpoints.js';
import { waitFor } from './support/wait.js';

// Peer identity under CURVE: unknown or missing keys get nothing through, the routing id is
// pinned to the key, and one key holds one ROUTER identity.

useCurveSuite();

describe('CURVE and ZAP on a ZmqServer: peer identity', () => {
  it('an unknown key gets nothing through: refused at the handshake, the handler never runs', async () => {
    const router = await tcpEndpoint();
    const pull = await tcpEndpoint();
    const { refused } = await server({
      router: { bind: router },
      pull: { bind: pull },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: paths.allowDir } },
    });
    const mallory = await client({
      dealer: { connect: router },
      push: { connect: pull },
      curve: curveOf('mallory'),
    });

    await expectNoReply(mallory);
    await waitFor(
      () => refused.some((e) => e.socket === 'router') && refused.some((e) => e.socket === 'pull'),
      'handshake:error:auth on both sockets',
    );
    expect(refused[0].status).toBe(400);
    expect(seen.requests).toBe(0);
    expect(seen.events).toEqual([]);
  });

  it('a client with no CURVE at all cannot talk to a CURVE server', async () => {
    const router = await tcpEndpoint();
    await server({
      router: { bind: router },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: [keys.alice.publicKey] },
    });
    const plain = await client({ dealer: { connect: router } });
    await expectNoReply(plain);
    expect(seen.requests).toBe(0);
  });

  it('a publisher with an unknown key is refused by the server SUB', async () => {
    const pub = await tcpEndpoint();
    const { refused } = await server({
      sub: { connect: pub },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: paths.allowDir } },
    });
    const mallory = await client({ pub: { bind: pub }, curve: curveOf('mallory') });
    await waitFor(() => refused.some((e) => e.socket === 'sub'), 'the SUB refusing the publisher');
    await firstValueFrom(mallory.emit('note', 'nope'), { defaultValue: undefined });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.events).toEqual([]);
  });

  it('a known key declaring a spoofed routing id is pinned to its own key (the spoof never reaches a handler)', async () => {
    const router = await tcpEndpoint();
    const spoofed = await server({
      router: { bind: router },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: [keys.alice.publicKey] },
    });
    const secret = (await readFile(keys.alice.secretKeyFile, 'utf8')).split('\n')[1];
    // Many connections: the binding must hold every time, not by luck of timing.
    let pinned = 0;
    for (let i = 0; i < 10; i++) {
      const spoofer = new Dealer({
        curveServerKey: keys.server.publicKey,
        curvePublicKey: keys.alice.publicKey,
        curveSecretKey: secret,
        routingId: `victim-${i}`,
        linger: 0,
        receiveTimeout: 1_000,
      });
      try {
        spoofer.connect(router);
        const header = Buffer.from([WIRE_VERSION, MessageKind.Request]);
        await spoofer.send([header, `r${i}`, 'whoami', '{}']);
        // Either pinned (the reply names alice's key) or dropped before any handler: never 'victim'.
        const reply = await spoofer.receive().catch(() => undefined);
        if (reply !== undefined) {
          expect(JSON.parse(reply[2].toString())).toBe(keys.alice.publicKey);
          pinned++;
        }
      } finally {
        spoofer.close();
      }
      // One live connection per key: the next one is served once this one is gone.
      await waitFor(() => spoofed.server.connectedPeers.router === 0, 'the spoofer to disconnect');
    }
    expect(seen.peers).toEqual(Array(pinned).fill(keys.alice.publicKey));
    expect(pinned).toBeGreaterThanOrEqual(8);
  });

  it('a second live connection with the same key gets nothing through (one key, one ROUTER identity)', async () => {
    const router = await tcpEndpoint();
    await server({
      router: { bind: router },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: [keys.alice.publicKey] },
    });
    const first = await client({ dealer: { connect: router }, curve: curveOf('alice') });
    await expect(whoami(first)).resolves.toBe(keys.alice.publicKey);
    const second = await client({ dealer: { connect: router }, curve: curveOf('alice') });
    await expectNoReply(second);
    await expect(whoami(first)).resolves.toBe(keys.alice.publicKey);
    expect(seen.requests).toBe(2);
  });
});
