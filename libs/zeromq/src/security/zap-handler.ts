import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'zeromq';
import { z85Encode } from './z85.js';

/** Where libzmq sends ZAP requests (RFC 27), on the default context: one binder per process. */
export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** What a domain's policy decides about one connecting client. */
export type ZapDecision = { allow: true; identity: string } | { allow: false; reason: string };

/** One ZmqServer's rules: given the client's public key (Z85) and IP address, allow or refuse. */
export interface ZapPolicy {
  authenticate(clientKey: string, address: string): ZapDecision;
}

/** A domain registered with the process-wide handler; `release()` when the server closes. */
export interface ZapRegistration {
  readonly domain: string;
  release(): void;
}

interface Handler {
  readonly domains: Map<string, ZapPolicy>;
  readonly router: Router;
  readonly ready: Promise<void>;
}

interface Registry {
  handler: Handler | undefined;
  nextDomain: number;
}

/**
 * Shared through a global symbol, not module state: two copies of this package in one process
 * (an ESM and a CJS build, two versions) must still share the one ZAP endpoint.
 */
const REGISTRY_KEY = Symbol.for('@sluice/zeromq:zap-handler');
function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY_KEY] ??= { handler: undefined, nextDomain: 1 });
}

/**
 * Registers a policy under a fresh ZAP domain with the process-wide handler, starting the
 * handler (a ROUTER bound to inproc://zeromq.zap.01) if this is the first. Each ZmqServer sets
 * its sockets' `zapDomain` to the returned domain, so each server is judged by its own policy.
 * The handler is closed when the last domain is released.
 */
export async function registerZapDomain(policy: ZapPolicy): Promise<ZapRegistration> {
  const shared = registry();
  const domain = `sluice.${process.pid}.${shared.nextDomain++}`;
  const handler = (shared.handler ??= startHandler());
  // Registered before waiting, so a release by another server meanwhile cannot close it.
  handler.domains.set(domain, policy);
  const release = () => {
    if (!handler.domains.delete(domain) || handler.domains.size > 0) return;
    if (shared.handler === handler) shared.handler = undefined;
    handler.router.close();
  };
  try {
    await handler.ready;
  } catch (error) {
    release();
    throw error;
  }
  return { domain, release };
}

function startHandler(): Handler {
  // linger 0: replies to a handshake whose connection is gone are not worth keeping.
  const router = new Router({ linger: 0 });
  const domains = new Map<string, ZapPolicy>();
  const ready = bindWithRetry(router).then(() => void serve(router, domains));
  // The caller awaits `ready`; this only keeps an unobserved failure from being reported twice.
  ready.catch(() => undefined);
  return { domains, router, ready };
}

/**
 * A ZAP endpoint closed a moment ago may still be registered while libzmq reaps the socket:
 * retry briefly. Still bound after that: someone else in this process runs a ZAP handler.
 */
async function bindWithRetry(router: Router): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await router.bind(ZAP_ENDPOINT);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || router.closed) throw error;
      if (attempt >= 20) {
        router.close();
        throw new Error(
          `ZmqServer: cannot start the CURVE authenticator: ${ZAP_ENDPOINT} is already bound in this process (another ZAP handler?). Only one ZAP handler can run per process; remove the other one.`,
          { cause: error },
        );
      }
      await sleep(25);
    }
  }
}

/**
 * How long each ZAP reply is held back, in ms. libzmq 4.3.5 sends the request, then tries to
 * read the reply at once, then parses the client's handshake metadata (its declared routing
 * id). A reply fast enough to be read in that window is applied first, and the declared routing
 * id then overwrites the pinned one (measured: about 1 connection in 6 on a busy 2-core box).
 * Holding the reply back closes that window; `RoutingIdGuard` drops whatever still slips by.
 */
export const ZAP_REPLY_DELAY_MS = 1;

/** Reads ZAP requests and answers each after the delay, in order. Nothing thrown escapes. */
async function serve(router: Router, domains: Map<string, ZapPolicy>): Promise<void> {
  let sending = Promise.resolve();
  const send = (reply: Array<Buffer | string>) => {
    sending = sending.then(async () => {
      try {
        if (!router.closed) await router.send(reply);
      } catch {
        // Closed meanwhile, or the connection asking is gone: nothing to answer.
      }
    });
  };
  while (!router.closed) {
    let request: Buffer[];
    try {
      request = await router.receive();
    } catch {
      if (router.closed) return;
      continue;
    }
    const reply = answer(request, domains);
    if (reply !== undefined) setTimeout(() => send(reply), ZAP_REPLY_DELAY_MS);
  }
}

/**
 * RFC 27 request: [routing, '', version, requestId, domain, address, identity, mechanism,
 * ...credentials]. `identity` is the *server* socket's own routing id (libzmq zap_client.cpp),
 * not the client's: the client's id cannot be checked here, so the reply sets it instead
 * (metadata `Identity`, applied by libzmq as the peer's routing id on a ROUTER).
 */
export function answer(
  request: Buffer[],
  domains: ReadonlyMap<string, ZapPolicy>,
): Array<Buffer | string> | undefined {
  if (request.length < 8) return undefined;
  const [routing, delimiter, , requestId, domainFrame, addressFrame, , mechanism, ...credentials] =
    request;
  const reply = (status: string, text: string, userId = '', metadata: Buffer | string = '') => [
    routing,
    delimiter,
    '1.0',
    requestId,
    status,
    text,
    userId,
    metadata,
  ];
  if (request[2].toString() !== '1.0') return reply('500', 'Unsupported ZAP version');
  const policy = domains.get(domainFrame.toString());
  if (policy === undefined) return reply('400', 'Unknown ZAP domain');
  if (
    mechanism.toString() !== 'CURVE' ||
    credentials.length !== 1 ||
    credentials[0].length !== 32
  ) {
    return reply('400', 'CURVE required');
  }
  const decision = policy.authenticate(z85Encode(credentials[0]), addressFrame.toString());
  if (!decision.allow) return reply('400', decision.reason);
  return reply('200', 'OK', decision.identity, zapMetadata({ Identity: decision.identity }));
}

/** ZMTP metadata: per property a 1-byte name length, the name, a 4-byte value length, the value. */
export function zapMetadata(properties: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const nameBytes = Buffer.from(name, 'latin1');
    const valueBytes = Buffer.from(value, 'latin1');
    const head = Buffer.alloc(1 + nameBytes.length + 4);
    head.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(head, 1);
    head.writeUInt32BE(valueBytes.length, 1 + nameBytes.length);
    parts.push(head, valueBytes);
  }
  return Buffer.concat(parts);
}
