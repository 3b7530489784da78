import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ZmqConfigError } from '../options/zmq-config.error.js';
import { isZ85Key, z85Decode, z85Encode, Z85_KEY_LENGTH } from './z85.js';

/** A CURVE key pair in Z85. The secret half must never reach a log line or an error message. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

/** Largest key file read, in bytes: a key file holds one 40-character key and comments. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** PKCS#8 prefix of a raw X25519 private key (RFC 8410), to derive a public key with node:crypto. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * What a value that should be a key looks like, without quoting it: an error message may be
 * logged, and the value may be a secret key (or a secret key pasted where a public one goes).
 */
export function describeKeyShape(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  if (value.length !== Z85_KEY_LENGTH) return `a string of ${value.length} characters`;
  return 'a 40-character string that is not valid Z85';
}

/** Throws a ZmqConfigError naming `path` unless `value` is a Z85 key; never echoes the value. */
export function assertZ85Key(value: unknown, path: string): asserts value is string {
  if (!isZ85Key(value)) {
    throw new ZmqConfigError(
      `${path} must be a 40-character Z85 CURVE key (got ${describeKeyShape(value)}): ` +
        `make a key pair with writeKeyPair() (npm run keys) or zeromq's curveKeyPair()`,
    );
  }
}

/**
 * The keys in a key file's text: one per line, the first word of the line; blank lines and
 * lines starting with `#` are skipped, and `# …` after a key is a comment. (A Z85 key never
 * starts with `#`: that digit would overflow its 32-bit group.) Errors name the line, never its text.
 */
export function parseKeyLines(text: string, source: string): string[] {
  const keys: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (!isZ85Key(key) || (rest.length > 0 && !rest[0].startsWith('#'))) {
      throw new ZmqConfigError(
        `${source}: line ${i + 1} is not a Z85 CURVE key (expected 40 Z85 characters, then ` +
          `optionally '# comment'; got ${describeKeyShape(key)}${rest.length > 0 ? ' and more words' : ''})`,
      );
    }
    keys.push(key);
  }
  return keys;
}

/** Reads a file holding exactly one key. The error names the option and the path, never content. */
export function readKeyFile(file: unknown, path: string): string {
  if (typeof file !== 'string' || file === '') {
    throw new ZmqConfigError(`${path} must be the path of a key file (got ${typeof file})`);
  }
  let text: string;
  try {
    if (statSync(file).size > MAX_KEY_FILE_BYTES) {
      throw new ZmqConfigError(`${path} '${file}' is too large to be a key file`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ZmqConfigError) throw error;
    throw new ZmqConfigError(
      `${path}: cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? 'error'}): ` +
        `check the path and its permissions, or make the files with writeKeyPair() (npm run keys)`,
    );
  }
  const keys = parseKeyLines(text, `${path} '${file}'`);
  if (keys.length !== 1) {
    throw new ZmqConfigError(
      `${path} '${file}' must hold exactly one key (found ${keys.length}): one Z85 key per key file`,
    );
  }
  return keys[0];
}

/** The public key of a CURVE (X25519) secret key: lets a config give the secret half only. */
export function publicKeyOf(secretKey: string): string {
  const raw = z85Decode(secretKey);
  if (raw === undefined || raw.length !== 32) throw new RangeError('not a CURVE secret key');
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return z85Encode(spki.subarray(spki.length - 32));
}

/** Whether a secret key file can be read by group or others (POSIX mode bits). */
export function isExposed(file: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    return (statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

interface KeyPairFields {
  secretKey?: unknown;
  secretKeyFile?: unknown;
  publicKey?: unknown;
  publicKeyFile?: unknown;
}

/**
 * A key pair from inline keys or files: the secret from `secretKey` or `secretKeyFile` (one of
 * them), the public half derived from it, and checked against `publicKey`/`publicKeyFile` when
 * given. Returns undefined when neither secret option is set.
 */
export function resolveKeyPair(fields: KeyPairFields, path: string): CurveKeyPair | undefined {
  const hasSecret = fields.secretKey !== undefined;
  const hasSecretFile = fields.secretKeyFile !== undefined;
  if (hasSecret && hasSecretFile) {
    throw new ZmqConfigError(
      `${path}: give secretKey or secretKeyFile, not both (the file is the safer place for it)`,
    );
  }
  if (!hasSecret && !hasSecretFile) {
    if (fields.publicKey !== undefined || fields.publicKeyFile !== undefined) {
      throw new ZmqConfigError(
        `${path}: a public key was given without its secret key: set secretKey or secretKeyFile too`,
      );
    }
    return undefined;
  }
  let secretKey: string;
  if (hasSecret) {
    assertZ85Key(fields.secretKey, `${path}.secretKey`);
    secretKey = fields.secretKey;
  } else {
    secretKey = readKeyFile(fields.secretKeyFile, `${path}.secretKeyFile`);
  }
  const publicKey = publicKeyOf(secretKey);
  if (fields.publicKey !== undefined && fields.publicKeyFile !== undefined) {
    throw new ZmqConfigError(`${path}: give publicKey or publicKeyFile, not both`);
  }
  let given: string | undefined;
  let givenAt = '';
  if (fields.publicKey !== undefined) {
    givenAt = `${path}.publicKey`;
    assertZ85Key(fields.publicKey, givenAt);
    given = fields.publicKey;
  } else if (fields.publicKeyFile !== undefined) {
    givenAt = `${path}.publicKeyFile`;
    given = readKeyFile(fields.publicKeyFile, givenAt);
  }
  if (given !== undefined && given !== publicKey) {
    throw new ZmqConfigError(
      `${givenAt} does not belong to the secret key: both halves must come from one key pair ` +
        `(or leave the public key out: it is derived from the secret key)`,
    );
  }
  return { publicKey, secretKey };
}

/** Logs a warning (path only) when a secret key file can be read by group or others. */
export function warnIfExposed(
  file: unknown,
  path: string,
  logger: { warn(message: string): void },
): void {
  if (typeof file === 'string' && isExposed(file)) {
    logger.warn(
      `${path} '${file}' can be read by group or others: restrict it (chmod 600), it holds a secret key.`,
    );
  }
}
