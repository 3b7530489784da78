import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { curveKeyPair } from 'zeromq';
import { PUBLIC_KEY_SUFFIX, SECRET_KEY_SUFFIX } from './allow-list.js';

/** Where `writeKeyPair()` put a key pair. The secret key itself is not returned. */
export interface KeyPairFiles {
  /** The public key (Z85): safe to print, to copy into an allow-list. */
  publicKey: string;
  /** `<dir>/<name>.public`: copy it to the server's allow-list directory (clients) or to the clients (server). */
  publicKeyFile: string;
  /** `<dir>/<name>.secret`, mode 0600: stays with its owner. */
  secretKeyFile: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Makes a CURVE key pair and writes it as `<dir>/<name>.public` and `<dir>/<name>.secret`
 * (mode 0600), each holding one Z85 key under a `#` comment line: the format `curve.*KeyFile`
 * options and allow-list directories read. Creates `dir` (mode 0700) when missing. Refuses to
 * replace existing files unless `overwrite` is set. Each file is written under a temporary name
 * and renamed, so a watching allow-list never reads half a key.
 */
export async function writeKeyPair(
  dir: string,
  name: string,
  options: { overwrite?: boolean } = {},
): Promise<KeyPairFiles> {
  if (!NAME.test(name) || name.endsWith(PUBLIC_KEY_SUFFIX) || name.endsWith(SECRET_KEY_SUFFIX)) {
    throw new Error(
      `writeKeyPair: invalid name '${name}': use letters, digits, '.', '_' or '-' (it names <name>.public and <name>.secret)`,
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { publicKey, secretKey } = curveKeyPair();
  const publicKeyFile = resolve(join(dir, `${name}${PUBLIC_KEY_SUFFIX}`));
  const secretKeyFile = resolve(join(dir, `${name}${SECRET_KEY_SUFFIX}`));
  if (options.overwrite !== true) {
    // Claim both names first, so that an existing key is never replaced, nor half a pair written.
    await claim(secretKeyFile, 0o600);
    await claim(publicKeyFile, 0o644).catch(async (error: unknown) => {
      await rm(secretKeyFile, { force: true });
      throw error;
    });
  }
  await writeAtomically(
    secretKeyFile,
    `# Sluice CURVE secret key '${name}': keep it private (mode 0600), never copy it to a server.\n${secretKey}\n`,
    0o600,
  );
  await writeAtomically(
    publicKeyFile,
    `# Sluice CURVE public key '${name}'\n${publicKey}\n`,
    0o644,
  );
  return { publicKey, publicKeyFile, secretKeyFile };
}

async function claim(path: string, mode: number): Promise<void> {
  try {
    await (await open(path, 'wx', mode)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(
        `writeKeyPair: ${path} already exists: choose another name, or pass { overwrite: true } to replace the key pair`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  // Not *.public nor *.secret: an allow-list watching this directory ignores it until the rename.
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx', mode);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
