import type { INestApplication } from '@nestjs/common';
import type { RateLimitRuleState } from '@sluice/rate-limit';
import type { ZmqClient } from '@sluice/zeromq';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo } from '../apps/demo/src/bootstrap.js';
import type { DashboardSnapshot } from '../apps/demo/src/dashboard/dashboard-snapshot.js';
import { type DemoConfig, demoConfig } from '../apps/demo/src/demo.config.js';
import {
  type Reading,
  ReadingsStore,
  type ReadingsStats,
} from '../apps/demo/src/readings.store.js';
import { demoClient } from './support/demo.js';
import { ipcEndpoint } from './support/endpoints.js';
import { countOutcomes, outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

/**
 * The demo ingestion service end to end: the real app from bootstrapDemo, real ZeroMQ
 * traffic from ZmqClient (PUSH for ingestion, DEALER for queries and control), real HTTP.
 */
describe('demo service', () => {
  let app: INestApplication;
  let config: DemoConfig;
  let baseUrl: string;
  let store: ReadingsStore;
  const clients: ZmqClient[] = [];

  const client = () => demoClient(config, clients);

  const send = <T>(c: ZmqClient, pattern: string, data: unknown = {}) =>
    firstValueFrom(c.send<T>(pattern, data));
  const emit = (c: ZmqClient, pattern: string, data: unknown) =>
    firstValueFrom(c.emit(pattern, data), { defaultValue: undefined });
  const rules = async (c: ZmqClient) => send<RateLimitRuleState[]>(c, 'control.limits');
  /** Rule ids are `socket|pattern|name` (`*` for a socket-wide rule). */
  const ruleNamed = (list: RateLimitRuleState[], name: string, socket = 'router') => {
    const rule = list.find((r) => r.name === name && r.socket === socket);
    if (!rule) throw new Error(`no rule ${name} in ${list.map((r) => r.name).join(', ')}`);
    return rule;
  };

  beforeAll(async () => {
    config = {
      ...demoConfig({}),
      routerEndpoint: ipcEndpoint('demo-router'),
      pullEndpoint: ipcEndpoint('demo-pull'),
      httpPort: 0,
    };
    app = await bootstrapDemo(config, false);
    store = app.get(ReadingsStore);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves /health (transport state and a real round trip) and /metrics', async () => {
    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as {
      status: string;
      info: Record<string, { status: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.info.zmq.status).toBe('up');
    expect(body.info['zmq-roundtrip'].status).toBe('up');
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_messages_received_total\{socket="router"\} [1-9]/m);
    expect(metrics).toContain('# TYPE sluice_rate_limited_total counter');
  });

  it('ingests readings pushed over PULL and answers queries over the ROUTER', async () => {
    const sensor = await client();
    const reader = await client();
    for (let i = 0; i < 50; i++) {
      await emit(sensor, 'readings.ingest', { sensor: `s-${i % 10}`, value: i });
    }
    await emit(
      sensor,
      'readings.ingest-batch',
      Array.from({ length: 100 }, (_, i) => ({ sensor: `gw-${i}`, value: i / 10, at: 1_000 + i })),
    );
    // Malformed readings are counted and skipped, not stored.
    await emit(sensor, 'readings.ingest', { sensor: 'bad', value: 'NaN' });
    await emit(sensor, 'readings.ingest-batch', 'not a batch');

    let stats: ReadingsStats = { sensors: 0, ingested: 0, rejected: 0 };
    const deadline = Date.now() + 5_000;
    while (stats.ingested < 150 || stats.rejected < 2) {
      if (Date.now() > deadline) throw new Error(`ingestion stalled at ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      stats = await send<ReadingsStats>(reader, 'readings.stats');
    }
    expect(stats).toEqual({ sensors: 110, ingested: 150, rejected: 2 });

    const latest = await send<Reading>(reader, 'readings.latest', { sensor: 's-3' });
    expect(latest).toMatchObject({ sensor: 's-3', value: 43 });
    expect(await send<Reading>(reader, 'readings.latest', { sensor: 'gw-7' })).toEqual({
      sensor: 'gw-7',
      value: 0.7,
      at: 1_007,
    });
    expect(await outcome(reader.send('readings.latest', { sensor: 'nope' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await outcome(reader.send('readings.latest', {}))).toMatchObject({
      code: 'BAD_REQUEST',
    });

    const index = (await (await fetch(`${baseUrl}/`)).json()) as { stats: ReadingsStats };
    expect(index.stats).toEqual(stats);
    expect((await send<{ pong: number }>(reader, 'control.ping')).pong).toBeGreaterThan(0);
  });

  it('control.limits lists the module and handler rules with their live state', async () => {
    const list = await rules(await client());
    const byName = Object.fromEntries(list.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'control-read',
        'control-write',
        'ingest-batch',
        'latest-per-peer',
        'peer',
        'pull',
        'router',
        'stats',
      ].sort(),
    );
    expect(byName.router).toMatchObject({ socket: 'router', scope: 'socket', limit: 2_000 });
    expect(byName.pull).toMatchObject({ socket: 'pull', limit: 5_000, action: 'pause' });
    expect(byName.peer).toMatchObject({ key: 'peer', limit: 200, action: 'reject' });
    expect(byName.stats).toMatchObject({ pattern: 'readings.stats', limit: 50, key: 'pattern' });
    // Event rules apply wherever the event may arrive: PULL, and the ROUTER (events over a DEALER).
    expect(list.filter((r) => r.name === 'ingest-batch').map((r) => r.id)).toEqual([
      'router|readings.ingest-batch|ingest-batch',
      'pull|readings.ingest-batch|ingest-batch',
    ]);
    expect(ruleNamed(list, 'ingest-batch', 'pull')).toMatchObject({ action: 'pause', limit: 50 });
    expect(byName['control-write']).toMatchObject({ limit: 5, perMs: 60_000, key: 'peer' });
  });

  it('readings.stats has one budget shared by every caller (50/s, burst 10)', async () => {
    // Earlier tests query readings.stats too: let the shared bucket fill up again (10 at 50/s).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [a, b] = [await client(), await client()];
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome((i % 2 ? a : b).send('readings.stats', {}))),
    );
    const counts = countOutcomes(outcomes);
    expect(counts.other).toBe(0);
    expect(counts.ok).toBeGreaterThanOrEqual(10);
    expect(counts.ok).toBeLessThanOrEqual(13);
    const refused = outcomes.find((o) => 'code' in o);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(ruleNamed(await rules(await client()), 'stats').limited.reject).toBeGreaterThan(0);
  });

  it('the per-peer budget stops a flooding peer and leaves the others alone', async () => {
    const [flooder, neighbour] = [await client(), await client()];
    const [flood, calm] = await Promise.all([
      Promise.all(Array.from({ length: 150 }, () => outcome(flooder.send('control.ping', {})))),
      Promise.all(Array.from({ length: 20 }, () => outcome(neighbour.send('control.ping', {})))),
    ]);
    const flooded = countOutcomes(flood);
    // Burst 50 (a quarter of 200/s), plus what refills while the flood arrives.
    expect(flooded.ok).toBeGreaterThanOrEqual(50);
    expect(flooded.ok).toBeLessThan(100);
    expect(flooded.limited).toBe(150 - flooded.ok);
    expect(countOutcomes(calm)).toEqual({ ok: 20, limited: 0, other: 0 });
  });

  it('control.set-limit changes a rule at runtime, and refuses bad or protected changes', async () => {
    const admin = await client();
    const reader = await client();
    await emit(admin, 'readings.ingest', { sensor: 'probe', value: 1 });
    await waitFor(() => store.get('probe') !== undefined, 'the probe reading');
    const changed = await send<{ changed: number; rules: RateLimitRuleState[] }>(
      admin,
      'control.set-limit',
      { rule: 'latest-per-peer', limit: 3, per: '1m' },
    );
    expect(changed.changed).toBe(1);
    expect(changed.rules[0]).toMatchObject({ limit: 3, perMs: 60_000, burst: 3 });
    try {
      const outcomes = [];
      for (let i = 0; i < 6; i++) {
        outcomes.push(await outcome(reader.send('readings.latest', { sensor: 'probe' })));
      }
      expect(outcomes.slice(0, 3)).toEqual(Array(3).fill({ ok: expect.anything() }));
      expect(outcomes.slice(3).map((o) => ('code' in o ? o.code : 'ok'))).toEqual(
        Array(3).fill('RATE_LIMITED'),
      );
      expect(ruleNamed(await rules(admin), 'latest-per-peer').limit).toBe(3);

      expect(
        await outcome(admin.send('control.set-limit', { rule: 'no-such-rule', limit: 5 })),
      ).toMatchObject({ code: 'UNKNOWN_RULE' });
      expect(
        await outcome(admin.send('control.set-limit', { rule: 'stats', limit: 0 })),
      ).toMatchObject({ code: 'BAD_REQUEST' });
      expect(
        await outcome(admin.send('control.set-limit', { rule: 'control-write', limit: 1_000 })),
      ).toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      const restorer = await client();
      await send(restorer, 'control.set-limit', { rule: 'latest-per-peer', limit: 100, per: '1s' });
    }
  });

  it('control.set-limit has its own strict budget: 5 changes a minute per peer', async () => {
    const admin = await client();
    const outcomes = [];
    for (let i = 0; i < 7; i++) {
      outcomes.push(await outcome(admin.send('control.set-limit', { rule: 'stats', limit: 50 })));
    }
    expect(countOutcomes(outcomes)).toEqual({ ok: 5, limited: 2, other: 0 });
    const last = outcomes[6] as { retryAfterMs: number };
    expect(last.retryAfterMs).toBeGreaterThan(1_000);
  });

  it('a flood of batches pauses the PULL socket; back-pressure loses no reading', async () => {
    const gateway = await client();
    const reader = await client();
    const before = await send<ReadingsStats>(reader, 'readings.stats');
    // 120 batches at once against 50/s: the PULL socket pauses for over a second.
    for (let i = 0; i < 120; i++) {
      await emit(
        gateway,
        'readings.ingest-batch',
        Array.from({ length: 5 }, (_, j) => ({ sensor: `bp-${j}`, value: i })),
      );
    }
    let stats = before;
    const deadline = Date.now() + 10_000;
    while (stats.ingested < before.ingested + 600) {
      if (Date.now() > deadline) throw new Error(`back-pressure lost readings: ${stats.ingested}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      stats = await send<ReadingsStats>(reader, 'readings.stats');
    }
    expect(stats.ingested).toBe(before.ingested + 600);
    expect((await send<Reading>(reader, 'readings.latest', { sensor: 'bp-4' })).value).toBe(119);
    const batch = ruleNamed(await rules(reader), 'ingest-batch', 'pull');
    expect(batch.limited.pause).toBeGreaterThan(0);
    expect(batch.limited.drop).toBe(0);
    const snapshot = (await (await fetch(`${baseUrl}/dashboard/data`)).json()) as DashboardSnapshot;
    const pull = snapshot.sockets.find((s) => s.socket === 'pull');
    expect(pull?.pausedMs).toBeGreaterThan(500);
    expect(pull?.limitedBy.drop).toBe(0);
  });
});

describe('demoConfig', () => {
  it('has embedded defaults', () => {
    expect(demoConfig({})).toEqual({
      routerEndpoint: 'tcp://127.0.0.1:5555',
      pullEndpoint: 'tcp://127.0.0.1:5556',
      httpPort: 3000,
      httpHost: '127.0.0.1',
      limits: { routerPerSecond: 2_000, pullPerSecond: 5_000, peerPerSecond: 200 },
    });
  });

  it('reads overrides from the environment and rejects bad numbers', () => {
    const config = demoConfig({
      SLUICE_ROUTER: 'ipc:///tmp/r.sock',
      PORT: '8080',
      SLUICE_PULL_LIMIT: '100',
      SLUICE_PEER_LIMIT: '10',
    });
    expect(config).toMatchObject({
      routerEndpoint: 'ipc:///tmp/r.sock',
      httpPort: 8080,
      limits: { routerPerSecond: 2_000, pullPerSecond: 100, peerPerSecond: 10 },
    });
    expect(() => demoConfig({ SLUICE_ROUTER_LIMIT: '-5' })).toThrow(/SLUICE_ROUTER_LIMIT/);
    expect(() => demoConfig({ PORT: 'http' })).toThrow(/PORT/);
  });
});
