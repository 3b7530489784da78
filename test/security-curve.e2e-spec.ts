import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ZmqClient, ZmqConfigError, ZmqServer } from '@sluice/zeromq';
import {
  client,
  curveOf,
  expectNoReply,
  keys,
  paths,
  secrets,
  seen,
  server,
  useCurveSuite,
  whoami,
} from './support/curve.js';
import { tcpEndpoint } from './support/endpoints.js';
import { waitFor } from './support/wait.js';

// CURVE on every socket kind with an allowed key, the safe defaults, ephemeral client keys, and
// configuration errors. Peer identity: security-identity; allow-list reloads: security-allow-list.

useCurveSuite();

describe('CURVE and ZAP on a ZmqServer', () => {
  it('an allowed key gets request/reply and PUSH/PULL events through, encrypted, with the safe defaults', async () => {
    const router = await tcpEndpoint();
    const pull = await tcpEndpoint();
    const { server: zmqServer } = await server({
      router: { bind: router },
      pull: { bind: pull },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: paths.allowDir } },
    });
    const alice = await client({
      dealer: { connect: router },
      push: { connect: pull },
      curve: curveOf('alice'),
    });

    // Identity binding: the handler sees the client's public key as its routing id.
    await expect(whoami(alice)).resolves.toBe(keys.alice.publicKey);
    await firstValueFrom(alice.emit('note', { n: 1 }), { defaultValue: undefined });
    await waitFor(() => seen.events.length === 1, 'the event over PUSH/PULL');
    expect(seen.events).toEqual([{ n: 1 }]);

    const sockets = zmqServer.unwrap();
    for (const socket of [sockets.router!, sockets.pull!]) {
      expect(socket.securityMechanism).toBe('curve');
      expect(socket.curveServer).toBe(true);
      expect(socket.maxMessageSize).toBe(1024 * 1024);
      expect(socket.receiveHighWaterMark).toBe(1000);
      expect(socket.handshakeInterval).toBe(5_000);
      expect(socket.heartbeatInterval).toBe(10_000);
      expect(socket.heartbeatTimeout).toBe(30_000);
    }
    expect(alice.unwrap().dealer!.securityMechanism).toBe('curve');
  });

  it('events over PUB/SUB are encrypted and authenticated too (the server SUB is the CURVE server)', async () => {
    const pub = await tcpEndpoint();
    const { server: zmqServer } = await server({
      sub: { connect: pub },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: paths.allowDir } },
    });
    const alice = await client({ pub: { bind: pub }, curve: curveOf('alice') });
    // A PUB drops until the subscription has arrived: publish until one gets through.
    await waitFor(() => {
      void firstValueFrom(alice.emit('note', 'over pub/sub'), { defaultValue: undefined });
      return seen.events.length > 0;
    }, 'an event over PUB/SUB');
    expect(seen.events[0]).toBe('over pub/sub');
    expect(zmqServer.unwrap().sub!.securityMechanism).toBe('curve');
  });

  it('a client without a key pair uses an ephemeral one: fine without an allow-list, refused with one', async () => {
    const open = await tcpEndpoint();
    const guarded = await tcpEndpoint();
    await server({ router: { bind: open }, curve: { secretKeyFile: keys.server.secretKeyFile } });
    await server({
      router: { bind: guarded },
      curve: { secretKeyFile: keys.server2.secretKeyFile, allow: [keys.alice.publicKey] },
    });
    const ephemeral = await client({
      dealer: { connect: open },
      curve: { serverPublicKey: keys.server.publicKey },
    });
    const peer = await whoami(ephemeral);
    expect(peer).toBe(ephemeral.unwrap().dealer!.routingId);
    expect(peer).toHaveLength(40);
    expect(Object.values(keys).map((k) => k.publicKey)).not.toContain(peer);
    const refusedOne = await client({
      dealer: { connect: guarded },
      curve: { serverPublicKey: keys.server2.publicKey },
    });
    await expectNoReply(refusedOne);
  });
});

describe('CURVE configuration errors', () => {
  it('name the field and the fix, and never contain a secret key', async () => {
    const secret = secrets[0];
    const attempts: Array<[() => unknown, RegExp]> = [
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: { secretKey: secret.slice(1) },
          }),
        /curve\.secretKey must be a 40-character Z85 CURVE key \(got a string of 39 characters\)/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: { secretKey: `${secret.slice(0, 39)}~` },
          }),
        /curve\.secretKey must be a 40-character Z85 CURVE key \(got a 40-character string that is not valid Z85\)/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: { secretKey: secret, publicKey: keys.alice.publicKey },
          }),
        /curve\.publicKey does not belong to the secret key/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            // A secret key pasted where a public key goes is not echoed either.
            curve: { secretKey: secret, allow: [secret.slice(2)] },
          }),
        /curve\.allow\[0\] must be a 40-character Z85 CURVE key/,
      ],
      [
        () =>
          new ZmqClient({
            dealer: { connect: 'tcp://127.0.0.1:1' },
            curve: { serverPublicKey: keys.server.publicKey, secretKey: secret.slice(0, 20) },
          }),
        /ZmqClient options\.curve\.secretKey must be a 40-character Z85 CURVE key/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: { secretKeyFile: join(paths.dir, 'missing.secret') },
          }),
        /curve\.secretKeyFile: cannot read '.*missing\.secret' \(ENOENT\)/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: {
              secretKeyFile: keys.server.secretKeyFile,
              allow: { dir: join(paths.dir, 'nope') },
            },
          }),
        /curve\.allow\.dir: cannot read the directory '.*nope' \(ENOENT\): create it/,
      ],
      [
        () => new ZmqServer({ router: { bind: 'tcp://127.0.0.1:1' }, curve: {} }),
        /curve needs the server's secret key: set secretKeyFile/,
      ],
      [
        () => new ZmqClient({ dealer: { connect: 'tcp://127.0.0.1:1' }, curve: {} }),
        /curve needs the server's public key: set serverPublicKeyFile/,
      ],
    ];
    for (const [attempt, message] of attempts) {
      let thrown: unknown;
      try {
        attempt();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ZmqConfigError);
      expect((thrown as Error).message).toMatch(message);
      for (const s of secrets) {
        expect((thrown as Error).message).not.toContain(s.slice(0, 20));
        expect((thrown as Error).message).not.toContain(s.slice(-20));
      }
    }
  });

  it('a bad line in a secret key file is named by number, its text is not quoted', async () => {
    const file = join(paths.dir, 'broken.secret');
    const secret = secrets[0];
    await writeFile(file, `# comment\n${secret.slice(0, 30)}\n`, { mode: 0o600 });
    expect(
      () =>
        new ZmqServer({ router: { bind: 'tcp://127.0.0.1:1' }, curve: { secretKeyFile: file } }),
    ).toThrow(/broken\.secret': line 2 is not a Z85 CURVE key/);
    try {
      new ZmqServer({ router: { bind: 'tcp://127.0.0.1:1' }, curve: { secretKeyFile: file } });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.slice(0, 30));
    }
  });
});
