import type { Logger } from '@nestjs/common';
import { curveKeyPair, type Socket } from 'zeromq';
import type { ZmqCurveClientOptions } from '../interfaces/zmq-curve-options.interface.js';
import { curveRoutingId } from './curve-identity.js';
import { warnIfExposed } from './curve-keys.js';
import { applyCurveSocketOptions, reconnectWhenRefused } from './curve-sockets.js';
import { validateClientCurve } from './validate-curve-options.js';

/** The zeromq.js options that make a client socket a CURVE client, with its pinned routing id. */
export interface CurveClientSocketOptions {
  curveServerKey: string;
  curvePublicKey: string;
  curveSecretKey: string;
  /** Only sockets that have one (DEALER) take it: see curve-identity.ts. */
  routingId: string;
}

export interface ClientSecurity {
  socketOptions: CurveClientSocketOptions;
  /** True when no key pair was configured and one was made for this connection. */
  ephemeral: boolean;
  /** What to do when the server refuses the key, for the log line. */
  refusedHint: string;
}

/** Reads the keys (or makes an ephemeral pair) for a client about to open its sockets. */
export function openClientSecurity(curve: ZmqCurveClientOptions, logger: Logger): ClientSecurity {
  const path = 'ZmqClient options.curve';
  const resolved = validateClientCurve(curve, path);
  warnIfExposed(curve.secretKeyFile, `${path}.secretKeyFile`, logger);
  const ephemeral = resolved.keys === undefined;
  const keys = resolved.keys ?? curveKeyPair();
  if (ephemeral) {
    logger.log(
      'CURVE without a client key pair: using an ephemeral one (accepted only by a server without an allow-list).',
    );
  }
  return {
    socketOptions: {
      curveServerKey: resolved.serverPublicKey,
      curvePublicKey: keys.publicKey,
      curveSecretKey: keys.secretKey,
      routingId: curveRoutingId(keys.publicKey),
    },
    ephemeral,
    refusedHint: ephemeral
      ? 'this client has no key pair (curve.secretKeyFile) and its ephemeral key is not on the server allow-list'
      : `add this client's public key (${keys.publicKey}) to the server allow-list`,
  };
}

/**
 * Makes a client socket a CURVE client (before it binds or connects). A connecting socket also
 * reconnects by itself after a refusal, so a key added to the server's allow-list later gets in.
 */
export function secureClientSocket(
  socket: Socket,
  security: ClientSecurity | undefined,
  logger: Logger,
  connects: boolean,
): void {
  if (security === undefined) return;
  applyCurveSocketOptions(socket, security.socketOptions);
  if (connects) reconnectWhenRefused(socket, logger, security.refusedHint);
}
