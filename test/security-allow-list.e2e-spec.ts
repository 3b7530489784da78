import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  client,
  curveOf,
  expectNoReply,
  keys,
  logs,
  paths,
  server,
  useCurveSuite,
  whoami,
} from './support/curve.js';
import { tcpEndpoint } from './support/endpoints.js';
import { waitFor } from './support/wait.js';

// The ZAP allow-list: directory and file reloads without a restart, and several servers (each
// with its own list) behind the one ZAP handler of the process.

useCurveSuite();

describe('CURVE and ZAP on a ZmqServer: allow-list', () => {
  it('reloads the allow-list directory: an added key gets in without a restart, a removed one is refused', async () => {
    const router = await tcpEndpoint();
    const { refused, server: zmqServer } = await server({
      router: { bind: router },
      curve: {
        secretKeyFile: keys.server.secretKeyFile,
        allow: { dir: paths.allowDir, pollInterval: 200 },
      },
    });
    const bob = await client({ dealer: { connect: router }, curve: curveOf('bob') });
    await expectNoReply(bob);
    await waitFor(() => refused.length > 0, 'the refusal event');

    // Added: the same client, not restarted, gets through (it reconnects after a refusal).
    const added = Date.now();
    await copyFile(keys.bob.publicKeyFile, join(paths.allowDir, 'bob.public'));
    let reply: string | undefined;
    await waitFor(
      () => {
        void whoami(bob).then(
          (peer) => (reply = peer),
          () => undefined,
        );
        return reply !== undefined;
      },
      'bob getting in after his key was added',
      8_000,
    );
    expect(reply).toBe(keys.bob.publicKey);
    expect(Date.now() - added).toBeLessThan(8_000);

    // Removed: new connections with that key are refused again (a live one stays: ZAP runs
    // at the handshake). Bob leaves first: a second live connection with his key is ignored anyway.
    await bob.close();
    await waitFor(() => zmqServer.connectedPeers.router === 0, 'bob to disconnect');
    await rm(join(paths.allowDir, 'bob.public'));
    const refusedBefore = refused.length;
    const deadline = Date.now() + 5_000;
    while (refused.length === refusedBefore && Date.now() < deadline) {
      const again = await client({ dealer: { connect: router }, curve: curveOf('bob') });
      const answered = await whoami(again).then(
        () => true,
        () => false,
      );
      await again.close();
      if (answered) await waitFor(() => zmqServer.connectedPeers.router === 0, 'a disconnect');
    }
    expect(refused.length).toBeGreaterThan(refusedBefore);
  });

  it('reloads an allow-list file; a broken reload keeps the last good list and is logged once', async () => {
    const router = await tcpEndpoint();
    const listFile = join(paths.dir, 'clients.txt');
    await writeFile(listFile, `# allowed clients\n${keys.alice.publicKey}  # alice\n`);
    await server({
      router: { bind: router },
      curve: {
        secretKeyFile: keys.server.secretKeyFile,
        allow: { file: listFile, pollInterval: 100 },
      },
    });
    const failures = () => logs.lines.filter((line) => line.includes('reload failed')).length;
    const before = failures();

    await writeFile(listFile, `${keys.alice.publicKey}\nnot-a-key\n`);
    await waitFor(() => failures() === before + 1, 'the reload failure to be logged');
    await writeFile(listFile, `${keys.alice.publicKey}\nnot-a-key\n\n`); // the same error again
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(failures()).toBe(before + 1);
    const failureLine = logs.lines.findLast((line) => line.includes('reload failed'))!;
    expect(failureLine).toMatch(/line 2 is not a Z85 CURVE key/);
    expect(failureLine).not.toContain('not-a-key');

    // The last good list (alice) still holds.
    const alice = await client({ dealer: { connect: router }, curve: curveOf('alice') });
    await expect(whoami(alice)).resolves.toBe(keys.alice.publicKey);

    // Fixed, with carol added: carol gets in.
    await writeFile(listFile, `${keys.alice.publicKey}\n${keys.carol.publicKey}\n`);
    const carol = await client({ dealer: { connect: router }, curve: curveOf('carol') });
    let reply: string | undefined;
    await waitFor(
      () => {
        void whoami(carol).then(
          (peer) => (reply = peer),
          () => undefined,
        );
        return reply !== undefined;
      },
      'carol getting in after the file was fixed',
      8_000,
    );
    expect(reply).toBe(keys.carol.publicKey);
  });

  it('two servers in one process each enforce their own allow-list through the one ZAP handler', async () => {
    const routerA = await tcpEndpoint();
    const routerB = await tcpEndpoint();
    const a = await server({
      router: { bind: routerA },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: [keys.alice.publicKey] },
    });
    await server({
      router: { bind: routerB },
      curve: {
        secretKeyFile: keys.server2.secretKeyFile,
        allow: [keys.bob.publicKey, keys.carol.publicKey],
      },
    });
    const aliceToA = await client({ dealer: { connect: routerA }, curve: curveOf('alice') });
    const bobToB = await client({
      dealer: { connect: routerB },
      curve: curveOf('bob', 'server2'),
    });
    const aliceToB = await client({
      dealer: { connect: routerB },
      curve: curveOf('alice', 'server2'),
    });
    const bobToA = await client({ dealer: { connect: routerA }, curve: curveOf('bob') });

    await expect(whoami(aliceToA)).resolves.toBe(keys.alice.publicKey);
    await expect(whoami(bobToB)).resolves.toBe(keys.bob.publicKey);
    await expectNoReply(aliceToB);
    await expectNoReply(bobToA);

    // Closing one server leaves the shared handler running for the other.
    await a.app.close();
    const carolToB = await client({
      dealer: { connect: routerB },
      curve: curveOf('carol', 'server2'),
    });
    await expect(whoami(carolToB)).resolves.toBe(keys.carol.publicKey);
  });
});
