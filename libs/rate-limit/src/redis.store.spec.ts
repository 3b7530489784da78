import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { AdmissionGate } from './admission-gate.js';
import { type CompiledRule, compileRule } from './compiled-rule.js';
import { MemoryStore } from './memory.store.js';
import type { StoreCheck } from './rate-limit-store.interface.js';
import type { RateLimitRuleOptions } from './rate-limit.interfaces.js';
import { RedisStore, type RedisStoreOptions } from './redis.store.js';
import { Verdict } from './verdict.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens there: connection refused at once. */
const UNREACHABLE = 'redis://127.0.0.1:1';

function rule(options: RateLimitRuleOptions, pattern = 'p'): CompiledRule {
  return compileRule(options, { socket: 'router', pattern });
}

/** A TCP relay to Redis that holds back the replies while `stalled`. */
async function stallingLink(target: URL): Promise<{
  url: string;
  stalled: boolean;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  const link = {
    url: '',
    stalled: false,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((downstream) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(downstream).add(upstream);
    downstream.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (link.stalled) held.push(() => downstream.write(chunk));
      else {
        for (const flush of held.splice(0)) flush();
        downstream.write(chunk);
      }
    });
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  link.url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return link;
}

function checks(...pairs: Array<[CompiledRule, string]>): StoreCheck[] {
  return pairs.map(([r, key]) => ({ rule: r, key, waitMs: -1 }));
}

describe('RedisStore (real Redis)', () => {
  let admin: Redis;
  let prefix: string;
  const stores: RedisStore[] = [];

  /** A store on its own auto-pipelined client, under this test's prefix. */
  function store(options: RedisStoreOptions = {}): RedisStore {
    const s = new RedisStore({ url: REDIS_URL }, { prefix, ...options });
    stores.push(s);
    return s;
  }

  async function keys(): Promise<string[]> {
    return admin.keys(`${prefix}*`);
  }

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });
  beforeEach(() => {
    prefix = `sluice:test:${randomBytes(6).toString('hex')}:`;
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    const left = await keys();
    if (left.length > 0) await admin.unlink(...left);
  });

  it('admits a burst, then refuses with the wait of the next slot; the return contract of MemoryStore', async () => {
    const s = store();
    const r = rule({ limit: 10, per: '1s', burst: 3 });
    const results: number[] = [];
    for (let i = 0; i < 4; i++) {
      const c = checks([r, 'k']);
      results.push(await s.consume(c, 1, 0));
      if (i < 3) expect(c[0].waitMs).toBe(0);
      else {
        // T = 100 ms: the 4th message must wait for (almost) one emission interval.
        expect(c[0].waitMs).toBeGreaterThan(80);
        expect(c[0].waitMs).toBeLessThanOrEqual(100);
      }
    }
    expect(results).toEqual([0, 0, 0, 1]);
    expect(await keys()).toEqual([`${prefix}router|p|default|k`]);
    expect(s.keyOf(r, 'k')).toBe(`${prefix}router|p|default|k`);
  });

  it('GCRA matches MemoryStore on the same paced sequence (burst then rate), within 1 message', async () => {
    const s = store();
    const memory = new MemoryStore();
    const r = rule({ limit: 50, per: '1s', burst: 5 });
    const m = rule({ limit: 50, per: '1s', burst: 5 });
    let redisAdmitted = 0;
    let memoryAdmitted = 0;
    const start = performance.now();
    // ~3 attempts per emission interval (20 ms) for 600 ms: burst 5 + ~30 by rate.
    while (performance.now() - start < 600) {
      if ((await s.consume(checks([r, 'k']), 1, 0)) === 0) redisAdmitted++;
      if (memory.consume(checks([m, 'k']), 1, performance.now()) === 0) memoryAdmitted++;
      await sleep(7);
    }
    const elapsed = performance.now() - start;
    console.log(
      `[redis-store] paced run ${elapsed.toFixed(0)} ms: redis admitted ${redisAdmitted}, memory ${memoryAdmitted}`,
    );
    expect(Math.abs(redisAdmitted - memoryAdmitted)).toBeLessThanOrEqual(1);
    expect(redisAdmitted).toBeGreaterThanOrEqual(5 + 25);
    expect(s.failOpen + s.timeouts + s.errors).toBe(0);
  });

  it('all or nothing across keys: a refused message consumes nothing from the rules that admitted it', async () => {
    const s = store();
    const wide = rule({ limit: 100, per: '1m', name: 'wide' });
    const narrow = rule({ limit: 1, per: '1m', name: 'narrow' });
    expect(await s.consume(checks([wide, '*'], [narrow, 'a']), 2, 0)).toBe(0);
    const tatBefore = await admin.get(s.keyOf(wide, '*'));
    const c = checks([wide, '*'], [narrow, 'a']);
    expect(await s.consume(c, 2, 0)).toBe(1);
    expect(c[0].waitMs).toBe(0);
    expect(c[1].waitMs).toBeGreaterThan(59_000);
    // The wide rule's TAT did not move, and no key was written for the refused message.
    expect(await admin.get(s.keyOf(wide, '*'))).toBe(tatBefore);
    for (let i = 0; i < 5; i++) await s.consume(checks([wide, '*'], [narrow, 'a']), 2, 0);
    expect(await admin.get(s.keyOf(wide, '*'))).toBe(tatBefore);
    // Another key of the narrow rule still has its whole budget.
    expect(await s.consume(checks([wide, '*'], [narrow, 'b']), 2, 0)).toBe(0);
  });

  it('two instances (two gates, two clients) share ONE budget, not two', async () => {
    const options = { limit: 10, per: '1m', name: 'quota', action: 'reject' as const };
    function instance(): AdmissionGate {
      const r = rule(options, 'quota');
      return new AdmissionGate({
        socket: 'router',
        socketRules: [],
        patternRules: new Map([['quota', [r]]]),
        store: store(),
        defaultAction: 'reject',
      });
    }
    const a = instance();
    const b = instance();
    // The two instances take turns, as two replicas behind a load balancer would.
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 30; i++)
      verdicts.push(await (i % 2 === 0 ? a : b).admit('quota', undefined, i));
    const admitted = verdicts.filter((v) => v === Verdict.Admit).length;
    expect(admitted).toBe(10);
    expect(verdicts.filter((v) => v === Verdict.Reject)).toHaveLength(20);
    // Both instances took part.
    expect(a.rules()[0].admitted).toBeGreaterThan(0);
    expect(b.rules()[0].admitted).toBeGreaterThan(0);
    expect(a.rules()[0].admitted + b.rules()[0].admitted).toBe(10);
  });

  it('uses the Redis clock, not the caller\u2019s: skewed `now` values get the same decisions', async () => {
    const s = store();
    const r = rule({ limit: 2, per: '1m' });
    expect(await s.consume(checks([r, 'k']), 1, 0)).toBe(0);
    expect(await s.consume(checks([r, 'k']), 1, 1e12)).toBe(0);
    const c = checks([r, 'k']);
    // A caller 10 minutes ahead is still refused: its clock is not consulted.
    expect(await s.consume(c, 1, performance.now() + 600_000)).toBe(1);
    expect(c[0].waitMs).toBeGreaterThan(29_000);
  });

  it('sets a TTL on every key (at most tau + T): idle keys vanish by themselves', async () => {
    const s = store();
    const r = rule({ limit: 10, per: '1s', burst: 2 });
    await s.consume(checks([r, 'k']), 1, 0);
    const key = s.keyOf(r, 'k');
    const ttl = await admin.pttl(key);
    // One message: TAT = now + T (100 ms).
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    await s.consume(checks([r, 'k']), 1, 0);
    // Full burst spent: TAT = now + tau + T (200 ms).
    const ttl2 = await admin.pttl(key);
    expect(ttl2).toBeGreaterThan(100);
    expect(ttl2).toBeLessThanOrEqual(200);
    await sleep(260);
    expect(await admin.exists(key)).toBe(0);
    // Expired = fresh: the full burst is back.
    expect(await s.consume(checks([r, 'k']), 1, 0)).toBe(0);
    expect(await s.consume(checks([r, 'k']), 1, 0)).toBe(0);
  });

  it('reloads the script after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const s = store();
    const r = rule({ limit: 5, per: '1m' });
    expect(await s.consume(checks([r, 'k']), 1, 0)).toBe(0);
    await admin.script('FLUSH');
    expect(await s.consume(checks([r, 'k']), 1, 0)).toBe(0);
    expect(s.errors).toBe(0);
  });

  it('forget deletes only that rule\u2019s keys, by SCAN + UNLINK batches; trackedKeys counts them', async () => {
    const s = store();
    const a = rule({ limit: 5, per: '1m', name: 'a' });
    const b = rule({ limit: 5, per: '1m', name: 'b' });
    // 2500 keys for a: three SCAN/UNLINK batches. Written directly, as the script would.
    const pipeline = admin.pipeline();
    for (let i = 0; i < 2500; i++) pipeline.set(s.keyOf(a, `peer-${i}`), '1', 'PX', 60_000);
    await pipeline.exec();
    await s.consume(checks([b, 'x']), 1, 0);
    expect(s.trackedKeys(a)).toBe(0);
    await vi.waitFor(() => expect(s.trackedKeys(a)).toBeGreaterThanOrEqual(2500));
    expect(await s.forget(a)).toBe(2500);
    expect(await keys()).toEqual([s.keyOf(b, 'x')]);
  });

  it('a rule id holding glob characters is matched literally by forget', async () => {
    const s = store();
    const star = compileRule({ limit: 5, per: '1m' }, { socket: 'router' }); // router|*|default
    const other = compileRule({ limit: 5, per: '1m' }, { socket: 'router', pattern: 'x' });
    await s.consume(checks([star, 'k']), 1, 0);
    await s.consume(checks([other, 'k']), 1, 0);
    expect(star.id).toBe('router|*|default');
    expect(await s.forget(star)).toBe(1);
    expect(await keys()).toEqual([s.keyOf(other, 'k')]);
  });

  describe('Redis unreachable: the failure policy decides, nothing hangs', () => {
    const down = { connectTimeout: 200, maxRetriesPerRequest: 0 };

    it('fail-open admits and counts failOpen', async () => {
      const s = new RedisStore({ url: UNREACHABLE, options: down }, { failure: 'open' });
      stores.push(s);
      const r = rule({ limit: 1, per: '1m' });
      const start = performance.now();
      for (let i = 0; i < 5; i++) {
        const c = checks([r, 'k']);
        expect(await s.consume(c, 1, 0)).toBe(0);
        expect(c[0].waitMs).toBe(0);
      }
      expect(performance.now() - start).toBeLessThan(1_000);
      expect(s.failOpen).toBe(5);
      expect(s.failClosed).toBe(0);
      expect(s.trackedKeys(r)).toBe(0);
      expect(await s.forget(r)).toBe(0);
    });

    it('fail-closed refuses every rule of the message with a 1 s retry-after and counts failClosed', async () => {
      const s = new RedisStore({ url: UNREACHABLE, options: down }, { failure: 'closed' });
      stores.push(s);
      const r1 = rule({ limit: 100, per: '1m', name: 'one' });
      const r2 = rule({ limit: 100, per: '1m', name: 'two' });
      const c = checks([r1, 'k'], [r2, 'k']);
      const start = performance.now();
      expect(await s.consume(c, 2, 0)).toBe(2);
      expect(c.map((x) => x.waitMs)).toEqual([1000, 1000]);
      expect(performance.now() - start).toBeLessThan(1_000);
      expect(s.failClosed).toBe(1);
      // Through a gate: a reject with retry-after 1 s.
      const gate = new AdmissionGate({
        socket: 'router',
        socketRules: [],
        patternRules: new Map([['p', [rule({ limit: 100, per: '1m' })]]]),
        store: s,
        defaultAction: 'reject',
      });
      const details = { waitMs: 0, rule: undefined as CompiledRule | undefined };
      expect(await gate.admit('p', undefined, 0, details)).toBe(Verdict.Reject);
      expect(details.waitMs).toBe(1000);
    });

    it('localFallback decides in process while Redis is away', async () => {
      const s = new RedisStore({ url: UNREACHABLE, options: down }, { localFallback: true });
      stores.push(s);
      const r = rule({ limit: 2, per: '1m' });
      const results: number[] = [];
      for (let i = 0; i < 3; i++) results.push(await s.consume(checks([r, 'k']), 1, i));
      expect(results).toEqual([0, 0, 1]);
      expect(s.fallback).toBe(3);
      expect(s.failOpen).toBe(0);
    });

    it('a slow answer counts as a timeout (a user-owned client, left open)', async () => {
      // A real Redis behind a link that stalls its replies: only this client is slowed down
      // (blocking the server itself would slow every other test file too).
      const link = await stallingLink(new URL(REDIS_URL));
      const client = new Redis(link.url);
      try {
        await client.ping();
        const s = new RedisStore(client, { prefix, failure: 'open', timeoutMs: 50 });
        link.stalled = true;
        const start = performance.now();
        expect(await s.consume(checks([rule({ limit: 1, per: '1m' }), 'k']), 1, 0)).toBe(0);
        expect(performance.now() - start).toBeLessThan(200);
        expect(s.timeouts).toBe(1);
        expect(s.failOpen).toBe(1);
        link.stalled = false;
        await s.close();
        // The late answer arrives; the client is still the caller's and still usable.
        expect(await client.ping()).toBe('PONG');
      } finally {
        await client.quit();
        await link.close();
      }
    });
  });

  it('throughput: decisions/s with 1 and with 64 concurrent consumes (printed, not asserted)', async () => {
    const piped = store();
    const plainClient = new Redis(REDIS_URL, { enableAutoPipelining: false });
    const plain = new RedisStore(plainClient, { prefix });
    const r = rule({ limit: 1_000_000_000, per: '1s' });
    async function measure(s: RedisStore, concurrency: number, total: number): Promise<number> {
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          const c = checks([r, `k${w}`]);
          while (next++ < total) await s.consume(c, 1, 0);
        }),
      );
      return Math.round(total / ((performance.now() - start) / 1000));
    }
    try {
      await measure(piped, 8, 500); // warm-up, script load
      await measure(plain, 8, 500);
      const serial = await measure(piped, 1, 3_000);
      const concurrent = await measure(piped, 64, 30_000);
      const concurrentPlain = await measure(plain, 64, 30_000);
      console.log(
        `[redis-store] decisions/s: 1 at a time ${serial}; 64 concurrent ${concurrent} ` +
          `(auto-pipelining), ${concurrentPlain} (no auto-pipelining)`,
      );
      expect(piped.failOpen + plain.failOpen).toBe(0);
    } finally {
      await plainClient.quit();
    }
  });
});
