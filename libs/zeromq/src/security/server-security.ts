import { Logger } from '@nestjs/common';
import type { ZmqCurveServerOptions } from '../interfaces/zmq-curve-options.interface.js';
import { ZmqConfigError } from '../options/zmq-config.error.js';
import { QuietLogger } from '../server/quiet-logger.js';
import { AllowList } from './allow-list.js';
import { curveRoutingId } from './curve-identity.js';
import { warnIfExposed } from './curve-keys.js';
import { isZ85Key, Z85_KEY_LENGTH } from './z85.js';
import { type ResolvedServerCurve, validateServerCurve } from './validate-curve-options.js';
import { registerZapDomain, type ZapDecision, type ZapRegistration } from './zap-handler.js';

/** The zeromq.js options that make a server socket a CURVE server judged by its ZAP domain. */
export interface CurveServerSocketOptions {
  curveServer: true;
  curveSecretKey: string;
  curvePublicKey: string;
  zapDomain: string;
  /** Fail closed: with no ZAP handler answering, libzmq refuses the handshake instead of allowing it. */
  zapEnforceDomain: true;
}

/** Handshakes the server's ZAP policy decided. */
export interface CurveAuthStats {
  allowed: number;
  refused: number;
  /** ROUTER messages dropped because their routing id is not an authenticated key. */
  unboundDropped: number;
}

/** A listening server's CURVE side: options for its sockets, the allow-list, the ZAP domain. */
export class ServerSecurity {
  private constructor(
    readonly stats: CurveAuthStats,
    readonly socketOptions: CurveServerSocketOptions,
    readonly allowList: AllowList | undefined,
    private readonly registration: ZapRegistration,
    private readonly quiet: QuietLogger,
  ) {}

  /**
   * Resolves the keys, loads the allow-list and registers a ZAP domain. Call before any socket
   * binds: a CURVE socket must never accept a connection before its authenticator runs.
   */
  static async open(curve: ZmqCurveServerOptions): Promise<ServerSecurity> {
    const logger = new Logger('ZmqServer');
    const quiet = new QuietLogger(logger);
    const path = 'ZmqServer options.curve';
    const resolved: ResolvedServerCurve = validateServerCurve(curve, path);
    warnIfExposed(curve.secretKeyFile, `${path}.secretKeyFile`, logger);
    let allowList: AllowList | undefined;
    if (resolved.allow !== undefined) {
      allowList = new AllowList(resolved.allow, logger);
      try {
        await allowList.load();
      } catch (error) {
        if (error instanceof ZmqConfigError) throw error;
        throw new ZmqConfigError(
          `ZmqServer options.curve.allow could not be read: ${(error as Error).message}`,
        );
      }
    } else {
      logger.warn(
        'CURVE is on without an allow-list (curve.allow): traffic is encrypted, but any client key gets in, and a client can make new keys at will.',
      );
    }
    const stats: CurveAuthStats = { allowed: 0, refused: 0, unboundDropped: 0 };
    const authenticate = (clientKey: string, address: string): ZapDecision => {
      if (allowList !== undefined && !allowList.has(clientKey)) {
        const reason = 'Client key not allowed';
        stats.refused++;
        quiet.warn(
          'curve-refused',
          `Refused a CURVE client from ${address || 'a local endpoint'}: its public key is not on the allow-list.`,
        );
        return { allow: false, reason };
      }
      stats.allowed++;
      return { allow: true, identity: curveRoutingId(clientKey) };
    };
    const registration = await registerZapDomain({ authenticate });
    const security = new ServerSecurity(
      stats,
      {
        curveServer: true,
        curveSecretKey: resolved.keys.secretKey,
        curvePublicKey: resolved.keys.publicKey,
        zapDomain: registration.domain,
        zapEnforceDomain: true,
      },
      allowList,
      registration,
      quiet,
    );
    allowList?.start();
    return security;
  }

  /**
   * Whether a ROUTER message's routing id is an authenticated identity: a key on the allow-list
   * (read live, so a removed key stops at once), or, without one, any well-formed key.
   */
  acceptsRoutingId(routingId: Buffer): boolean {
    if (routingId.length !== Z85_KEY_LENGTH) return false;
    const key = routingId.toString('latin1');
    return this.allowList === undefined ? isZ85Key(key) : this.allowList.has(key);
  }

  /** Counts and (quietly) logs a message dropped by `acceptsRoutingId`. */
  unboundDropped(): void {
    this.stats.unboundDropped++;
    this.quiet.warn(
      'curve-unbound',
      'Dropped a message whose routing id is not an authenticated CURVE key (a spoofed routing id, or a key since removed from the allow-list).',
    );
  }

  /** Call after the server's sockets are closed. */
  close(): void {
    this.allowList?.close();
    this.registration.release();
  }
}
