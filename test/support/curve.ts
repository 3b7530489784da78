import { Controller, Logger, type LoggerService } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  type AuthRefusedEvent,
  type KeyPairFiles,
  ZmqClient,
  type ZmqClientOptions,
  type ZmqContext,
  type ZmqServerOptions,
  writeKeyPair,
} from '@sluice/zeromq';
import { type RunningServer, startServer } from './nest.js';

/**
 * Shared by the security-*.e2e-spec.ts suites. Vitest gives each test file its own module
 * registry, so the state below (keys, logs, what the handlers saw) is per file.
 */

/** What the handlers saw: a handler that never runs for a refused client is the point. */
export const seen = {
  requests: 0,
  events: [] as unknown[],
  peers: [] as Array<string | undefined>,
};

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

export const REFUSED_TIMEOUT_MS = 1_000;

/** The temp dir of the suite (keys under `keys/`) and the allow-list dir (alice's key in it). */
export const paths = { dir: '', allowDir: '' };
export const keys: Record<string, KeyPairFiles> = {};
/** The Z85 secret key of every key pair in `keys`: none may appear in a message or a log line. */
export const secrets: string[] = [];
export const logs = new CollectingLogger();
const cleanup: Array<() => Promise<unknown>> = [];

/**
 * Registers the suite hooks: key pairs for server, server2, alice, bob, carol and mallory,
 * alice allowed in `paths.allowDir`; servers and clients closed after each test; and after
 * all, the check that no log line held a secret key.
 */
export function useCurveSuite(): void {
  beforeAll(async () => {
    paths.dir = await mkdtemp(join(tmpdir(), 'sluice-curve-'));
    paths.allowDir = join(paths.dir, 'allowed');
    await mkdir(paths.allowDir);
    for (const name of ['server', 'server2', 'alice', 'bob', 'carol', 'mallory']) {
      keys[name] = await writeKeyPair(join(paths.dir, 'keys'), name);
      secrets.push((await readFile(keys[name].secretKeyFile, 'utf8')).split('\n')[1]);
    }
    await copyFile(keys.alice.publicKeyFile, join(paths.allowDir, 'alice.public'));
  });

  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
    seen.requests = 0;
    seen.events.length = 0;
    seen.peers.length = 0;
  });

  afterAll(async () => {
    await rm(paths.dir, { recursive: true, force: true });
    // Whatever ran above (refusals, reload failures, ephemeral keys): no secret key was logged.
    for (const line of logs.lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
}

/** A CURVE server with the secure controller, closed after the test; `refused` collects auth:refused. */
export async function server(
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

/** A connected client, closed after the test. */
export async function client(options: ZmqClientOptions): Promise<ZmqClient> {
  const zmq = new ZmqClient({ timeout: REFUSED_TIMEOUT_MS, ...options });
  await zmq.connect();
  cleanup.push(() => zmq.close());
  return zmq;
}

/** The client CURVE options of `name`'s key pair, for the server `serverName`. */
export function curveOf(name: string, serverName = 'server'): ZmqClientOptions['curve'] {
  return {
    serverPublicKeyFile: keys[serverName].publicKeyFile,
    secretKeyFile: keys[name].secretKeyFile,
  };
}

export const whoami = (zmq: ZmqClient) => firstValueFrom(zmq.send<string>('whoami', {}));

/** A refused client's request fails: at once when the refusal drops the connection, else by timeout. */
export async function expectNoReply(zmq: ZmqClient): Promise<void> {
  await expect(whoami(zmq)).rejects.toMatchObject({
    code: expect.stringMatching(/^(AUTH_REFUSED|CONNECTION_LOST|TIMEOUT)$/),
  });
}
