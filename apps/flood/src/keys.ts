import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair } from 'zeromq';

export interface KeyFiles {
  publicKeyFile: string;
  secretKeyFile: string;
  publicKey: string;
}

/**
 * Writes a CURVE key pair as Z85 text: `<dir>/<name>.key` (public, 0644) and
 * `<dir>/<name>.key_secret` (secret, 0600, created with that mode: never readable by others,
 * not even for a moment). Refuses to overwrite either file.
 */
export function writeKeyPair(dir: string, name: string): KeyFiles {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.')) {
    throw new Error(`--name must be 1-100 characters of A-Z a-z 0-9 . _ - (got '${name}')`);
  }
  const publicKeyFile = join(dir, `${name}.key`);
  const secretKeyFile = join(dir, `${name}.key_secret`);
  for (const file of [publicKeyFile, secretKeyFile]) {
    if (existsSync(file)) throw new Error(`${file} exists: refusing to overwrite a key`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { publicKey, secretKey } = curveKeyPair();
  writeFileSync(secretKeyFile, `${secretKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicKeyFile, `${publicKey}\n`, { mode: 0o644, flag: 'wx' });
  return { publicKeyFile, secretKeyFile, publicKey };
}
