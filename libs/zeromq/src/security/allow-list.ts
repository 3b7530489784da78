import type { Logger } from '@nestjs/common';
import { accessSync, constants, type FSWatcher, statSync, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ZmqConfigError } from '../options/zmq-config.error.js';
import {
  assertIntOption,
  assertKnownKeys,
  assertPlainObject,
} from '../options/validate-socket-options.js';
import { assertZ85Key, parseKeyLines } from './curve-keys.js';

export const DEFAULT_ALLOW_POLL_INTERVAL_MS = 2_000;
/** Change notifications come in bursts (create, write, close): one reload per burst. */
export const ALLOW_RELOAD_DEBOUNCE_MS = 100;
/** In an allow-list directory, only these files are read (as `writeKeyPair()` names them). */
export const PUBLIC_KEY_SUFFIX = '.public';
export const SECRET_KEY_SUFFIX = '.secret';

/** The `allow` option, checked and normalized. */
export interface AllowListSources {
  keys: readonly string[];
  dir?: string;
  file?: string;
  pollInterval: number;
}

/**
 * Checks the `allow` option (a list of keys, or `{ keys, dir, file, pollInterval }`) at
 * start-up: inline keys are Z85, the directory and the file exist and can be read.
 */
export function normalizeAllowList(value: unknown, path: string): AllowListSources {
  if (Array.isArray(value)) {
    value.forEach((key, i) => assertZ85Key(key, `${path}[${i}]`));
    return { keys: value as string[], pollInterval: DEFAULT_ALLOW_POLL_INTERVAL_MS };
  }
  assertPlainObject(value, path, `use a list of client public keys, or { keys, dir, file }`);
  assertKnownKeys(value, ['keys', 'dir', 'file', 'pollInterval'], path);
  const { keys = [], dir, file, pollInterval = DEFAULT_ALLOW_POLL_INTERVAL_MS } = value;
  if (!Array.isArray(keys)) {
    throw new ZmqConfigError(`${path}.keys must be a list of client public keys (Z85)`);
  }
  keys.forEach((key, i) => assertZ85Key(key, `${path}.keys[${i}]`));
  if (value.keys === undefined && dir === undefined && file === undefined) {
    throw new ZmqConfigError(
      `${path} needs at least one source: keys (a list), dir (a directory of *.public files) or file (one key per line)`,
    );
  }
  if (dir !== undefined) assertReadable(dir, `${path}.dir`, 'directory');
  if (file !== undefined) assertReadable(file, `${path}.file`, 'file');
  assertIntOption(pollInterval, `${path}.pollInterval`, 0, 'ms between checks of dir and file');
  return {
    keys: keys as string[],
    dir: dir as string | undefined,
    file: file as string | undefined,
    pollInterval: pollInterval as number,
  };
}

function assertReadable(value: unknown, path: string, kind: 'directory' | 'file'): void {
  const fix =
    kind === 'directory'
      ? 'create it and put one *.public file per allowed client in it'
      : 'create it with one client public key per line';
  if (typeof value !== 'string' || value === '') {
    throw new ZmqConfigError(`${path} must be the path of a ${kind} (got ${typeof value})`);
  }
  try {
    const stats = statSync(value);
    if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) {
      throw new ZmqConfigError(`${path} '${value}' is not a ${kind}: ${fix}`);
    }
    accessSync(value, kind === 'directory' ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch (error) {
    if (error instanceof ZmqConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ZmqConfigError(`${path}: cannot read the ${kind} '${value}' (${code}): ${fix}`);
  }
}

/** Every key of every source. Throws a ZmqConfigError naming the bad file and line. */
export async function readAllowList(sources: AllowListSources): Promise<Set<string>> {
  const keys = new Set(sources.keys);
  if (sources.dir !== undefined) {
    const names = (await readdir(sources.dir)).sort();
    const secret = names.find((name) => name.endsWith(SECRET_KEY_SUFFIX));
    if (secret !== undefined) {
      throw new ZmqConfigError(
        `the allow-list directory '${sources.dir}' holds a secret key file (${secret}): move it out, secret keys stay with their owner`,
      );
    }
    for (const name of names) {
      if (!name.endsWith(PUBLIC_KEY_SUFFIX)) continue;
      const path = join(sources.dir, name);
      const found = parseKeyLines(await readFile(path, 'utf8'), `allow-list file '${path}'`);
      // An empty file is one still being written: it allows nobody, and the next change reloads.
      if (found.length > 1) {
        throw new ZmqConfigError(
          `allow-list file '${path}' holds ${found.length} keys: one key per *.public file (or use allow.file for a list)`,
        );
      }
      for (const key of found) keys.add(key);
    }
  }
  if (sources.file !== undefined) {
    const text = await readFile(sources.file, 'utf8');
    for (const key of parseKeyLines(text, `allow-list file '${sources.file}'`)) keys.add(key);
  }
  return keys;
}

/** What changes when a source changes (names, sizes, times, inodes): the periodic check compares it. */
async function fingerprint(sources: AllowListSources): Promise<string> {
  const parts: string[] = [];
  const describe = async (path: string) => {
    try {
      const s = await stat(path);
      return `${path}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      return `${path}:${(error as NodeJS.ErrnoException).code}`;
    }
  };
  if (sources.dir !== undefined) {
    parts.push(await describe(sources.dir));
    try {
      for (const name of (await readdir(sources.dir)).sort()) {
        if (name.endsWith(PUBLIC_KEY_SUFFIX) || name.endsWith(SECRET_KEY_SUFFIX)) {
          parts.push(await describe(join(sources.dir, name)));
        }
      }
    } catch {
      // The directory's own entry above already says what is wrong.
    }
  }
  if (sources.file !== undefined) parts.push(await describe(sources.file));
  return parts.join('|');
}

/**
 * The allowed client keys, kept current: `dir` and `file` are watched (fs.watch, debounced)
 * and also checked every `pollInterval` ms. A reload that fails (unreadable source, bad key)
 * keeps the last good list and is logged once until a reload succeeds again.
 */
export class AllowList {
  /** Reloads that succeeded / failed since start (the first load not included). */
  reloads = 0;
  reloadFailures = 0;
  private keys: ReadonlySet<string> = new Set();
  private watchers: FSWatcher[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastFingerprint = '';
  private failure: string | undefined;
  private closed = false;

  constructor(
    private readonly sources: AllowListSources,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  has(publicKey: string): boolean {
    return this.keys.has(publicKey);
  }

  /** The first load, at start-up: a failure is thrown, not logged. */
  async load(): Promise<void> {
    this.lastFingerprint = await fingerprint(this.sources);
    this.keys = await readAllowList(this.sources);
  }

  /** Starts watching and polling the sources (nothing to do for inline keys only). */
  start(): void {
    if (this.sources.dir === undefined && this.sources.file === undefined) return;
    this.watchSources();
    if (this.sources.pollInterval > 0) {
      this.pollTimer = setInterval(() => void this.poll(), this.sources.pollInterval);
      this.pollTimer.unref();
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.debounceTimer);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  /** Reloads now (serialized with any reload under way); resolves when the list is current. */
  async reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.reloadOnce().finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        void this.reload();
      }
    });
    return this.running;
  }

  private async reloadOnce(): Promise<void> {
    const print = await fingerprint(this.sources);
    try {
      const keys = await readAllowList(this.sources);
      if (this.closed) return;
      this.keys = keys;
      this.reloads++;
      this.failure = undefined;
      this.logger.log(`CURVE allow-list reloaded: ${keys.size} client key(s).`);
      if (this.watchers.length === 0) this.watchSources();
    } catch (error) {
      this.reloadFailures++;
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.failure) {
        this.failure = message;
        this.logger.warn(
          `CURVE allow-list reload failed; the last good list (${this.keys.size} key(s)) stays in force: ${message}`,
        );
      }
    } finally {
      this.lastFingerprint = print;
    }
  }

  private async poll(): Promise<void> {
    if (this.closed || this.running) return;
    if ((await fingerprint(this.sources)) !== this.lastFingerprint) await this.reload();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), ALLOW_RELOAD_DEBOUNCE_MS);
    this.debounceTimer.unref();
  }

  /**
   * A file is watched through its directory, so that an editor's or `mv`'s replace (a new
   * inode) is seen too. A watcher that fails is dropped: the periodic check still runs, and
   * the next good reload watches again.
   */
  private watchSources(): void {
    const targets: Array<[string, string | undefined]> = [];
    if (this.sources.dir !== undefined) targets.push([this.sources.dir, undefined]);
    if (this.sources.file !== undefined) {
      targets.push([dirname(this.sources.file), basename(this.sources.file)]);
    }
    for (const [path, only] of targets) {
      try {
        const watcher = watch(path, { persistent: false }, (_event, name) => {
          if (only === undefined || name === null || name === only) this.schedule();
        });
        watcher.on('error', () => {
          watcher.close();
          this.watchers = this.watchers.filter((w) => w !== watcher);
        });
        this.watchers.push(watcher);
      } catch {
        // No notifications here (missing path, no inotify): the periodic check covers it.
      }
    }
  }
}
