import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveKeyPair, Dealer } from 'zeromq';
import { ZmqConfigError } from '../options/zmq-config.error.js';
import { readAllowList } from './allow-list.js';
import { parseKeyLines, publicKeyOf, resolveKeyPair } from './curve-keys.js';
import { writeKeyPair } from './generate-keys.js';
import { authenticatedRouter } from './routing-id-guard.js';
import { isZ85Key, z85Decode, z85Encode } from './z85.js';
import { answer, zapMetadata } from './zap-handler.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Z85 and key pairs', () => {
  it('round-trips keys made by libzmq, and derives the public half from the secret', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey, secretKey } = curveKeyPair();
      expect(z85Encode(z85Decode(publicKey)!)).toBe(publicKey);
      expect(isZ85Key(secretKey)).toBe(true);
      expect(publicKeyOf(secretKey)).toBe(publicKey);
    }
  });

  it('refuses what is not a 32-byte Z85 key', () => {
    expect(isZ85Key('x'.repeat(39))).toBe(false);
    expect(isZ85Key(`${'0'.repeat(39)}~`)).toBe(false); // not in the alphabet
    expect(isZ85Key(`#${'0'.repeat(39)}`)).toBe(false); // the group overflows 32 bits
    expect(isZ85Key(42)).toBe(false);
  });

  it('parses key lines with comments, naming a bad line without quoting it', () => {
    const { publicKey } = curveKeyPair();
    expect(parseKeyLines(`# header\n\n  ${publicKey}  # alice\r\n`, 'f')).toEqual([publicKey]);
    expect(() => parseKeyLines(`${publicKey}\nsecret-ish-text\n`, 'f')).toThrow(
      /f: line 2 is not a Z85 CURVE key/,
    );
    expect(() => parseKeyLines(`${publicKey} trailing\n`, 'f')).toThrow(/and more words/);
  });

  it('resolves a pair from a secret alone, and refuses a public key of another pair', () => {
    const a = curveKeyPair();
    const b = curveKeyPair();
    expect(resolveKeyPair({ secretKey: a.secretKey }, 'p')).toEqual(a);
    expect(() => resolveKeyPair({ secretKey: a.secretKey, publicKey: b.publicKey }, 'p')).toThrow(
      ZmqConfigError,
    );
    expect(() => resolveKeyPair({ publicKey: a.publicKey }, 'p')).toThrow(/without its secret/);
    expect(resolveKeyPair({}, 'p')).toBeUndefined();
  });
});

describe('writeKeyPair', () => {
  it('writes <name>.public and <name>.secret (0600) that the loaders read back', async () => {
    const files = await writeKeyPair(join(dir, 'new', 'keys'), 'alice');
    expect(files.publicKeyFile).toMatch(/alice\.public$/);
    expect((await stat(files.secretKeyFile)).mode & 0o777).toBe(0o600);
    const pair = resolveKeyPair({ secretKeyFile: files.secretKeyFile }, 'p')!;
    expect(pair.publicKey).toBe(files.publicKey);
    expect(
      resolveKeyPair(
        { secretKeyFile: files.secretKeyFile, publicKeyFile: files.publicKeyFile },
        'p',
      ),
    ).toEqual(pair);
    expect(await readFile(files.publicKeyFile, 'utf8')).toContain(files.publicKey);
  });

  it('never replaces an existing key unless told to, and refuses odd names', async () => {
    const first = await writeKeyPair(dir, 'bob');
    await expect(writeKeyPair(dir, 'bob')).rejects.toThrow(/already exists/);
    expect(resolveKeyPair({ secretKeyFile: first.secretKeyFile }, 'p')!.publicKey).toBe(
      first.publicKey,
    );
    const second = await writeKeyPair(dir, 'bob', { overwrite: true });
    expect(second.publicKey).not.toBe(first.publicKey);
    await expect(writeKeyPair(dir, '../escape')).rejects.toThrow(/invalid name/);
  });
});

describe('allow-list sources', () => {
  it('reads *.public files of a directory and a key-per-line file, as one set', async () => {
    const allowDir = join(dir, 'allow');
    const a = await writeKeyPair(allowDir, 'a');
    await rm(a.secretKeyFile);
    await writeFile(join(allowDir, 'README.md'), 'ignored\n');
    const other = curveKeyPair().publicKey;
    const file = join(dir, 'list.txt');
    await writeFile(file, `# list\n${other}\n`);
    const keys = await readAllowList({ keys: [], dir: allowDir, file, pollInterval: 0 });
    expect([...keys].sort()).toEqual([a.publicKey, other].sort());
  });

  it('refuses a directory holding a secret key file', async () => {
    const allowDir = join(dir, 'allow-secret');
    await writeKeyPair(allowDir, 'oops');
    await expect(readAllowList({ keys: [], dir: allowDir, pollInterval: 0 })).rejects.toThrow(
      /holds a secret key file \(oops\.secret\)/,
    );
  });
});

describe('ZAP answers', () => {
  const request = (domain: string, mechanism: string, credentials: Buffer[]) => [
    Buffer.from('peer'),
    Buffer.alloc(0),
    Buffer.from('1.0'),
    Buffer.from('1'),
    Buffer.from(domain),
    Buffer.from('127.0.0.1'),
    Buffer.alloc(0),
    Buffer.from(mechanism),
    ...credentials,
  ];
  const { publicKey } = curveKeyPair();
  const key = z85Decode(publicKey)!;
  const domains = new Map([
    [
      'd',
      {
        authenticate: (k: string) =>
          k === publicKey
            ? ({ allow: true, identity: k } as const)
            : ({ allow: false, reason: 'no' } as const),
      },
    ],
  ]);

  it('200 with the identity as User-Id and as Identity metadata for an allowed key', () => {
    const reply = answer(request('d', 'CURVE', [key]), domains)!;
    expect(reply.slice(4, 7).map(String)).toEqual(['200', 'OK', publicKey]);
    expect(reply[7]).toEqual(zapMetadata({ Identity: publicKey }));
  });

  it('400 for an unknown key, an unknown domain, or another mechanism', () => {
    expect(String(answer(request('d', 'CURVE', [Buffer.alloc(32)]), domains)![4])).toBe('400');
    expect(String(answer(request('x', 'CURVE', [key]), domains)![4])).toBe('400');
    expect(String(answer(request('d', 'NULL', []), domains)![4])).toBe('400');
    expect(answer([Buffer.from('short')], domains)).toBeUndefined();
  });
});

describe('authenticatedRouter', () => {
  it('passes on only messages whose routing id it accepts', async () => {
    const dropped: string[] = [];
    const router = authenticatedRouter(
      (id) => id.toString().startsWith('ok'),
      (id) => dropped.push(id.toString()),
      { linger: 0 },
    );
    const endpoint = `inproc://guard-${process.pid}`;
    await router.bind(endpoint);
    const bad = new Dealer({ routingId: 'bad', linger: 0 });
    const good = new Dealer({ routingId: 'ok-1', linger: 0 });
    try {
      bad.connect(endpoint);
      good.connect(endpoint);
      await bad.send('from bad');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await good.send('from good');
      const [id, body] = await router.receive();
      expect([id.toString(), body.toString()]).toEqual(['ok-1', 'from good']);
      expect(dropped).toEqual(['bad']);
    } finally {
      bad.close();
      good.close();
      router.close();
    }
  });
});
