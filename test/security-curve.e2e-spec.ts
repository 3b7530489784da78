import { Controller, Logger, type LoggerService } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import {
  type AuthRefusedEvent,
  type KeyPairFiles,
  MessageKind,
  WIRE_VERSION,
  ZmqClient,
  type ZmqClientOptions,
  ZmqConfigError,
  type ZmqContext,
  ZmqServer,
  type ZmqServerOptions,
  writeKeyPair,
} from '@sluice/zeromq';
import { tcpEndpoint } from './support/endpoints.js';
import { type RunningServer, startServer } from './support/nest.js';
import { waitFor } from './support/wait.js';

/** What the handlers saw: a handler that never runs for a refused client is the point. */
const seen = { requests: 0, events: [] as unknown[], peers: [] as Array<string | undefined> };

@Controller()
class SecureController {
  @MessagePattern('whoami')
  whoami(@Ctx() ctx: ZmqContext): string | undefined {
    seen.requests++;
    seen.peers.push(ctx.getPeer());
    return ctx.getPeer();
  }

  @EventPattern('note')
  note(@Payload() data: unknown): void {
    seen.events.push(data);
  }
}

/** Collects every log line (a real logger, not a mock): no line may hold a secret key. */
class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
}

const REFUSED_TIMEOUT_MS = 1_000;

let dir: string;
let allowDir: string;
const keys: Record<string, KeyPairFiles> = {};
const secrets: string[] = [];
const logs = new CollectingLogger();
const cleanup: Array<() => Promise<unknown>> = [];

async function server(
  options: ZmqServerOptions,
): Promise<RunningServer & { refused: AuthRefusedEvent[] }> {
  const running = await startServer(options, [SecureController]);
  // After the app (its `logger: false` silences Nest's static logger): collect from here on.
  Logger.overrideLogger(logs);
  const refused: AuthRefusedEvent[] = [];
  running.server.on('auth:refused', (event: AuthRefusedEvent) => refused.push(event));
  cleanup.push(() => running.app.close());
  return { ...running, refused };
}

async function client(options: ZmqClientOptions): Promise<ZmqClient> {
  const zmq = new ZmqClient({ timeout: REFUSED_TIMEOUT_MS, ...options });
  await zmq.connect();
  cleanup.push(() => zmq.close());
  return zmq;
}

function curveOf(name: string, serverName = 'server'): ZmqClientOptions['curve'] {
  return {
    serverPublicKeyFile: keys[serverName].publicKeyFile,
    secretKeyFile: keys[name].secretKeyFile,
  };
}

const whoami = (zmq: ZmqClient) => firstValueFrom(zmq.send<string>('whoami', {}));

/** A refused client's request fails: at once when the refusal drops the connection, else by timeout. */
async function expectNoReply(zmq: ZmqClient): Promise<void> {
  await expect(whoami(zmq)).rejects.toMatchObject({
    code: expect.stringMatching(/^(AUTH_REFUSED|CONNECTION_LOST|TIMEOUT)$/),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-curve-'));
  allowDir = join(dir, 'allowed');
  await mkdir(allowDir);
  for (const name of ['server', 'server2', 'alice', 'bob', 'carol', 'mallory']) {
    keys[name] = await writeKeyPair(join(dir, 'keys'), name);
    secrets.push((await readFile(keys[name].secretKeyFile, 'utf8')).split('\n')[1]);
  }
  await copyFile(keys.alice.publicKeyFile, join(allowDir, 'alice.public'));
});

afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  seen.requests = 0;
  seen.events.length = 0;
  seen.peers.length = 0;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  // Whatever ran above (refusals, reload failures, ephemeral keys): no secret key was logged.
  for (const line of logs.lines) {
    for (const secret of secrets) expect(line).not.toContain(secret);
  }
});

describe('CURVE and ZAP on a ZmqServer', () => {
  it('an allowed key gets request/reply and PUSH/PULL events through, encrypted, with the safe defaults', async () => {
    const router = await tcpEndpoint();
    const pull = await tcpEndpoint();
    const { server: zmqServer } = await server({
      router: { bind: router },
      pull: { bind: pull },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: allowDir } },
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

  it('an unknown key gets nothing through: refused at the handshake, the handler never runs', async () => {
    const router = await tcpEndpoint();
    const pull = await tcpEndpoint();
    const { refused } = await server({
      router: { bind: router },
      pull: { bind: pull },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: allowDir } },
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

  it('events over PUB/SUB are encrypted and authenticated too (the server SUB is the CURVE server)', async () => {
    const pub = await tcpEndpoint();
    const { server: zmqServer } = await server({
      sub: { connect: pub },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: allowDir } },
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

  it('a publisher with an unknown key is refused by the server SUB', async () => {
    const pub = await tcpEndpoint();
    const { refused } = await server({
      sub: { connect: pub },
      curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: allowDir } },
    });
    const mallory = await client({ pub: { bind: pub }, curve: curveOf('mallory') });
    await waitFor(() => refused.some((e) => e.socket === 'sub'), 'the SUB refusing the publisher');
    await firstValueFrom(mallory.emit('note', 'nope'), { defaultValue: undefined });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.events).toEqual([]);
  });

  it('reloads the allow-list directory: an added key gets in without a restart, a removed one is refused', async () => {
    const router = await tcpEndpoint();
    const { refused, server: zmqServer } = await server({
      router: { bind: router },
      curve: {
        secretKeyFile: keys.server.secretKeyFile,
        allow: { dir: allowDir, pollInterval: 200 },
      },
    });
    const bob = await client({ dealer: { connect: router }, curve: curveOf('bob') });
    await expectNoReply(bob);
    await waitFor(() => refused.length > 0, 'the refusal event');

    // Added: the same client, not restarted, gets through (it reconnects after a refusal).
    const added = Date.now();
    await copyFile(keys.bob.publicKeyFile, join(allowDir, 'bob.public'));
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
    await rm(join(allowDir, 'bob.public'));
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
    const listFile = join(dir, 'clients.txt');
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
            curve: { secretKeyFile: join(dir, 'missing.secret') },
          }),
        /curve\.secretKeyFile: cannot read '.*missing\.secret' \(ENOENT\)/,
      ],
      [
        () =>
          new ZmqServer({
            router: { bind: 'tcp://127.0.0.1:1' },
            curve: { secretKeyFile: keys.server.secretKeyFile, allow: { dir: join(dir, 'nope') } },
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
    const file = join(dir, 'broken.secret');
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
