import { createRequire } from 'node:module';
// Types only: erased at build time, so importing this file never loads ioredis.
import type { Redis, RedisOptions } from 'ioredis';
import type { CompiledRule } from './compiled-rule.js';
import { MemoryStore } from './memory.store.js';
import { GCRA_SCRIPT, GCRA_SCRIPT_SHA } from './redis-gcra.script.js';
import type { RateLimitStore, StoreCheck } from './rate-limit-store.interface.js';

/** What to do when Redis does not answer within `timeoutMs`, errors, or is disconnected. */
export type RedisStoreFailure = 'open' | 'closed';

export interface RedisStoreOptions {
  /** Prefix of every key: `${prefix}${rule.id}|${key}`. Default 'sluice:rl:'. */
  prefix?: string;
  /** Longest wait for one decision before the failure policy applies. Default 50 ms. */
  timeoutMs?: number;
  /**
   * `open` (default) admits and counts `failOpen`; `closed` refuses every rule of the
   * message with `failClosedWaitMs` and counts `failClosed`.
   */
  failure?: RedisStoreFailure;
  /** Wait reported by a fail-closed decision (the reject's retry-after). Default 1000 ms. */
  failClosedWaitMs?: number;
  /**
   * Decide in process while Redis fails instead of applying `failure` (counted in
   * `fallback`): `true` for a new `MemoryStore`, or your own. Each instance then enforces
   * the whole budget on its own: N instances admit up to N budgets during the outage.
   */
  localFallback?: boolean | MemoryStore;
  /** SCAN calls (COUNT 1000) one `trackedKeys` refresh may make; 0 disables it. Default 10. */
  trackedKeysScans?: number;
}

/** `{ url }`: the store creates, owns and closes its client (auto-pipelining on). */
export interface RedisStoreConnection {
  url: string;
  /** Merged over the store's defaults (see `REDIS_STORE_CLIENT_DEFAULTS`). */
  options?: RedisOptions;
}

/** Client options of the `{ url }` form; yours win. */
export const REDIS_STORE_CLIENT_DEFAULTS: RedisOptions = {
  // Concurrent decisions share one round trip: without it one socket tops out at ~5–10k/s.
  enableAutoPipelining: true,
  // A command queued while Redis is away fails after one reconnection attempt instead of
  // piling up; the store has decided on its own by then anyway (timeoutMs).
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
};

const SCAN_COUNT = 1_000;
const TRACKED_REFRESH_MS = 10_000;
/** Client states in which a command cannot be answered soon: decide without sending it. */
const DOWN = new Set(['close', 'reconnecting', 'end']);
const TIMED_OUT = Symbol('timed out');

interface TrackedCount {
  count: number;
  at: number;
  pending: boolean;
}

function isClient(value: unknown): value is Redis {
  return typeof (value as Redis | undefined)?.evalsha === 'function';
}

/** SCAN MATCH pattern for keys starting with `literal` (glob characters escaped). */
function matchPrefix(literal: string): string {
  return `${literal.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

/**
 * GCRA state in Redis: one budget shared by every instance whose rules have the same id
 * (`socket|pattern|name`). `consume` runs one Lua script (redis-gcra.script.ts) that checks
 * and advances every key of a message atomically, on the server's clock; idle keys expire by
 * themselves. When Redis is slow, erroring or down the decision follows `failure` (or
 * `localFallback`), never waits longer than `timeoutMs`, and never throws.
 *
 * ioredis is an optional peer dependency, loaded only when the store is built from `{ url }`.
 */
export class RedisStore implements RateLimitStore {
  readonly synchronous = false;
  /** State lives outside the process: closing one instance's gates must not erase it. */
  readonly shared = true;
  readonly client: Redis;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly failure: RedisStoreFailure;
  readonly failClosedWaitMs: number;
  readonly localFallback: MemoryStore | undefined;
  /** Decisions admitted because Redis failed (`failure: 'open'`). */
  failOpen = 0;
  /** Decisions refused because Redis failed (`failure: 'closed'`). */
  failClosed = 0;
  /** Decisions taken by `localFallback` because Redis failed. */
  fallback = 0;
  /** Decisions Redis did not answer within `timeoutMs`. */
  timeouts = 0;
  /** Redis errors (commands, and connection errors of an owned client). */
  errors = 0;
  lastError: unknown = undefined;

  private readonly ownsClient: boolean;
  private readonly trackedKeysScans: number;
  private readonly tracked = new Map<CompiledRule, TrackedCount>();

  constructor(connection: Redis | RedisStoreConnection, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'sluice:rl:';
    this.timeoutMs = options.timeoutMs ?? 50;
    this.failure = options.failure ?? 'open';
    this.failClosedWaitMs = options.failClosedWaitMs ?? 1_000;
    this.trackedKeysScans = options.trackedKeysScans ?? 10;
    const fallback = options.localFallback;
    this.localFallback = fallback === true ? new MemoryStore() : fallback || undefined;
    if (isClient(connection)) {
      this.client = connection;
      this.ownsClient = false;
    } else {
      const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as {
        Redis: typeof Redis;
      };
      this.client = new RedisClient(connection.url, {
        ...REDIS_STORE_CLIENT_DEFAULTS,
        ...connection.options,
      });
      this.ownsClient = true;
      // Connection errors are counted (and decided by the failure policy), not printed.
      this.client.on('error', (error: unknown) => this.recordError(error));
    }
  }

  /** Key of one check in Redis. */
  keyOf(rule: CompiledRule, key: string): string {
    return `${this.prefix}${rule.id}|${key}`;
  }

  /**
   * Same contract as `MemoryStore.consume`, decided by Redis. `now` is ignored: the script
   * reads the server's clock (TIME), the only one every instance agrees on.
   */
  async consume(checks: readonly StoreCheck[], n: number, now: number): Promise<number> {
    if (n === 0) return 0;
    if (DOWN.has(this.client.status)) return this.failed(checks, n, now);
    // KEYS (one per check), then ARGV: T and tau of each check.
    const args: Array<string | number> = [];
    for (let i = 0; i < n; i++) args.push(this.keyOf(checks[i].rule, checks[i].key));
    for (let i = 0; i < n; i++) args.push(checks[i].rule.emissionMs, checks[i].rule.toleranceMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        this.run(n, args),
        new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(resolve, this.timeoutMs, TIMED_OUT);
        }),
      ]);
      if (reply === TIMED_OUT) {
        this.timeouts++;
        return this.failed(checks, n, now);
      }
      return this.apply(checks, n, reply);
    } catch (error) {
      this.recordError(error);
      return this.failed(checks, n, now);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Keys of the rule in Redis, refreshed in the background (at most every 10 s, at most
   * `trackedKeysScans` SCAN calls). Returns the last count, 0 before the first one, and -1
   * when the last refresh could not finish within its budget (a large keyspace) or failed.
   */
  trackedKeys(rule: CompiledRule): number {
    let entry = this.tracked.get(rule);
    if (entry === undefined) {
      entry = { count: 0, at: -Infinity, pending: false };
      this.tracked.set(rule, entry);
    }
    const now = performance.now();
    if (this.trackedKeysScans > 0 && !entry.pending && now - entry.at >= TRACKED_REFRESH_MS) {
      entry.pending = true;
      entry.at = now;
      const target = entry;
      void this.countKeys(rule).then((count) => {
        target.count = count;
        target.pending = false;
      });
    }
    return this.trackedKeysScans > 0 ? entry.count : -1;
  }

  /**
   * Deletes every key of the rule (SCAN + UNLINK by batches of up to 1000), for every
   * instance sharing it. Resolves with the number deleted; never rejects (errors are counted).
   * The registry calls it on `setLimit`, not when a gate closes (`shared`).
   */
  async forget(rule: CompiledRule): Promise<number> {
    this.tracked.delete(rule);
    const match = matchPrefix(`${this.prefix}${rule.id}|`);
    let deleted = 0;
    let cursor = '0';
    try {
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (keys.length > 0) deleted += await this.client.unlink(...keys);
      } while (cursor !== '0');
    } catch (error) {
      this.recordError(error);
    }
    return deleted;
  }

  /** Quits the client when the store created it (`{ url }`); a client you passed stays yours. */
  async close(): Promise<void> {
    if (!this.ownsClient || this.client.status === 'end') return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async run(n: number, args: Array<string | number>): Promise<unknown> {
    try {
      return await this.client.evalsha(GCRA_SCRIPT_SHA, n, ...args);
    } catch (error) {
      // First use on this server, or after SCRIPT FLUSH / a failover: EVAL caches it again.
      if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
      return this.client.eval(GCRA_SCRIPT, n, ...args);
    }
  }

  private apply(checks: readonly StoreCheck[], n: number, reply: unknown): number {
    if (!Array.isArray(reply)) {
      for (let i = 0; i < n; i++) checks[i].waitMs = 0;
      return 0;
    }
    let denied = 0;
    for (let i = 0; i < n; i++) {
      const wait = Number(reply[i]);
      checks[i].waitMs = wait;
      if (wait > 0) denied++;
    }
    return denied;
  }

  private failed(checks: readonly StoreCheck[], n: number, now: number): number {
    if (this.localFallback !== undefined) {
      this.fallback++;
      return this.localFallback.consume(checks, n, now);
    }
    if (this.failure === 'open') {
      this.failOpen++;
      for (let i = 0; i < n; i++) checks[i].waitMs = 0;
      return 0;
    }
    this.failClosed++;
    for (let i = 0; i < n; i++) checks[i].waitMs = this.failClosedWaitMs;
    return n;
  }

  private async countKeys(rule: CompiledRule): Promise<number> {
    const match = matchPrefix(`${this.prefix}${rule.id}|`);
    let count = 0;
    let cursor = '0';
    try {
      for (let scans = 0; scans < this.trackedKeysScans; scans++) {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        count += keys.length;
        cursor = next;
        if (cursor === '0') return count;
      }
    } catch (error) {
      this.recordError(error);
    }
    return -1;
  }

  private recordError(error: unknown): void {
    this.errors++;
    this.lastError = error;
  }
}
