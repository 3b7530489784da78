import type {
  ZmqCurveClientOptions,
  ZmqCurveServerOptions,
} from '../interfaces/zmq-curve-options.interface.js';
import { ZmqConfigError } from '../options/zmq-config.error.js';
import { assertKnownKeys, assertPlainObject } from '../options/validate-socket-options.js';
import { type AllowListSources, normalizeAllowList } from './allow-list.js';
import { assertZ85Key, type CurveKeyPair, readKeyFile, resolveKeyPair } from './curve-keys.js';

const KEY_PAIR_OPTIONS = ['secretKey', 'secretKeyFile', 'publicKey', 'publicKeyFile'];
const SERVER_CURVE_OPTIONS = [...KEY_PAIR_OPTIONS, 'allow'];
const CLIENT_CURVE_OPTIONS = ['serverPublicKey', 'serverPublicKeyFile', ...KEY_PAIR_OPTIONS];

export interface ResolvedServerCurve {
  keys: CurveKeyPair;
  allow: AllowListSources | undefined;
}

export interface ResolvedClientCurve {
  serverPublicKey: string;
  /** Undefined: no key pair configured, an ephemeral one is made at connect. */
  keys: CurveKeyPair | undefined;
}

/**
 * Checks `curve` of ZmqServer options and reads its key files: at construction (fail fast)
 * and again at listen (files may have been rotated in between). Messages name the field and
 * the fix, and never contain a key.
 */
export function validateServerCurve(curve: unknown, path: string): ResolvedServerCurve {
  assertPlainObject(
    curve,
    path,
    `use { secretKeyFile: 'keys/server.secret', allow: { dir: 'keys/allowed' } }`,
  );
  assertKnownKeys(curve, SERVER_CURVE_OPTIONS, path);
  const options = curve as ZmqCurveServerOptions;
  const keys = resolveKeyPair(options, path);
  if (keys === undefined) {
    throw new ZmqConfigError(
      `${path} needs the server's secret key: set secretKeyFile (or secretKey); make a key pair with writeKeyPair() (npm run keys)`,
    );
  }
  const allow =
    options.allow === undefined ? undefined : normalizeAllowList(options.allow, `${path}.allow`);
  return { keys, allow };
}

/** Checks `curve` of ZmqClient options and reads its key files. */
export function validateClientCurve(curve: unknown, path: string): ResolvedClientCurve {
  assertPlainObject(
    curve,
    path,
    `use { serverPublicKeyFile: 'keys/server.public', secretKeyFile: 'keys/client.secret' }`,
  );
  assertKnownKeys(curve, CLIENT_CURVE_OPTIONS, path);
  const options = curve as ZmqCurveClientOptions;
  let serverPublicKey: string;
  if (options.serverPublicKey !== undefined && options.serverPublicKeyFile !== undefined) {
    throw new ZmqConfigError(`${path}: give serverPublicKey or serverPublicKeyFile, not both`);
  } else if (options.serverPublicKey !== undefined) {
    assertZ85Key(options.serverPublicKey, `${path}.serverPublicKey`);
    serverPublicKey = options.serverPublicKey;
  } else if (options.serverPublicKeyFile !== undefined) {
    serverPublicKey = readKeyFile(options.serverPublicKeyFile, `${path}.serverPublicKeyFile`);
  } else {
    throw new ZmqConfigError(
      `${path} needs the server's public key: set serverPublicKeyFile (or serverPublicKey), the .public file of the server's key pair`,
    );
  }
  return { serverPublicKey, keys: resolveKeyPair(options, path) };
}
