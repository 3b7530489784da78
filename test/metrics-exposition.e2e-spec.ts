import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { register, Registry } from 'prom-client';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { Dealer } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { ZMQ_METRIC_NAMES, ZmqHealthModule, ZmqMetrics } from '@sluice/health';
import { RateLimitModule } from '@sluice/rate-limit';
import { ZmqServer } from '@sluice/zeromq';
import { LimitedController } from './fixtures/limited.controller.js';
import { ipcEndpoint } from './support/endpoints.js';
import { startClient } from './support/nest.js';
import { outcome } from './support/rate-limited.js';
import { waitFor } from './support/wait.js';

interface Sample {
  value?: string;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}
// parse-prometheus-text-format ships no types; it throws on any line that is not valid exposition.
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => Family[];

/**
 * The parser folds a labelled histogram into one sample and loses its labels, so histogram
 * series are read a second time with the TYPE line removed: each of _bucket, _sum and _count
 * then parses as untyped samples, labels intact.
 */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const f of parsePrometheus(text)) families.set(f.name, f);
  const untyped = text.replace(/^# TYPE \S+ histogram$/gm, '');
  // prom-client writes a histogram label set by label set: the same suffix recurs, so merge.
  for (const f of parsePrometheus(untyped)) {
    const known = families.get(f.name);
    if (known === undefined) families.set(f.name, f);
    else if (known.type === 'UNTYPED') known.metrics.push(...f.metrics);
  }
  return families;
}

/** The value of the one series of `name` whose labels include `labels` (0 when absent). */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  const family = families.get(name);
  const sample = family?.metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
  return sample === undefined ? 0 : Number(sample.value);
}

const LABELS: Record<string, { type: string; labels: string[] }> = {
  sluice_listening: { type: 'GAUGE', labels: ['server'] },
  sluice_messages_received_total: { type: 'COUNTER', labels: ['socket'] },
  sluice_messages_handled_total: { type: 'COUNTER', labels: ['socket'] },
  sluice_messages_no_handler_total: { type: 'COUNTER', labels: ['socket'] },
  sluice_replies_dropped_total: { type: 'COUNTER', labels: ['socket'] },
  sluice_rate_limited_total: { type: 'COUNTER', labels: ['action', 'socket'] },
  sluice_rate_limit_decisions_total: {
    type: 'COUNTER',
    labels: ['outcome', 'pattern', 'rule', 'socket'],
  },
  sluice_malformed_total: { type: 'COUNTER', labels: ['reason', 'socket'] },
  sluice_pause_seconds_total: { type: 'COUNTER', labels: ['socket'] },
  sluice_paused: { type: 'GAUGE', labels: ['socket'] },
  sluice_connected_peers: { type: 'GAUGE', labels: ['socket'] },
  sluice_in_flight: { type: 'GAUGE', labels: [] },
  sluice_tracked_keys: { type: 'GAUGE', labels: ['pattern', 'rule', 'socket'] },
  sluice_rate_limit_per_second: { type: 'GAUGE', labels: ['pattern', 'rule', 'socket'] },
  sluice_handler_duration_seconds: { type: 'HISTOGRAM', labels: ['pattern', 'socket'] },
};

describe('Prometheus metrics (GET /metrics, parsed)', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function start(health: Parameters<typeof ZmqHealthModule.forRoot>[0] = {}) {
    const router = ipcEndpoint('metrics-router');
    const pull = ipcEndpoint('metrics-pull');
    const moduleRef = await Test.createTestingModule({
      imports: [
        RateLimitModule.forRoot({
          peer: { limit: 1_000, per: '1m' },
          sockets: {
            pull: { name: 'pull-budget', limit: 50, per: '1s', burst: 1, action: 'pause' },
          },
          patterns: { free: { name: 'free-shadow', limit: 2, per: '1m', shadow: true } },
        }),
        ZmqHealthModule.forRoot(health),
      ],
      controllers: [LimitedController],
    }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: false });
    const server = new ZmqServer({ router: { bind: router }, pull: { bind: pull } });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.init();
    await app.startAllMicroservices();
    cleanup.push(() => app.close());
    const scrape = async () => {
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseExposition(res.text);
    };
    return { app, server, router, pull, scrape };
  }

  it('every metric parses, with the documented names, types and labels, and no peer label', async () => {
    const registry = new Registry();
    const { scrape } = await start({ metrics: { registry }, metricsController: true });
    const families = await scrape();
    expect([...ZMQ_METRIC_NAMES].sort()).toEqual(Object.keys(LABELS).sort());
    for (const [name, { type, labels }] of Object.entries(LABELS)) {
      const family = [...families.values()].find((f) => f.name === name);
      expect(family, name).toBeDefined();
      expect(family!.type, name).toBe(type);
      expect(family!.help.length, name).toBeGreaterThan(10);
      if (type === 'HISTOGRAM') continue; // no observation yet: no series
      expect(family!.metrics.length, name).toBeGreaterThan(0);
      for (const sample of family!.metrics) {
        expect(Object.keys(sample.labels ?? {}).sort(), name).toEqual(labels);
      }
    }
    // Zeros from the start for every reason and action, so rate() has a first point.
    expect(families.get('sluice_malformed_total')!.metrics).toHaveLength(2 * 7);
    expect(families.get('sluice_rate_limited_total')!.metrics).toHaveLength(2 * 3);
    expect(value(families, 'sluice_listening', { server: 'zmq' })).toBe(1);
    expect(value(families, 'sluice_rate_limit_per_second', { rule: 'pull-budget' })).toBe(50);
  });

  it('values follow real traffic: requests, throttling, shadow, malformed, no handler, durations', async () => {
    const registry = new Registry();
    const { scrape, router } = await start({ metrics: { registry }, metricsController: true });
    const c = await startClient({ dealer: { connect: router } });
    cleanup.push(() => c.close());
    for (let i = 0; i < 10; i++) await firstValueFrom(c.send('free', i));
    await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(c.send('quota', i))));
    await outcome(c.send('no.such.pattern', 1));
    const raw = new Dealer();
    raw.connect(router);
    cleanup.push(async () => raw.close());
    for (let i = 0; i < 3; i++) await raw.send([Buffer.from([1, 1]), `m${i}`, 'free']);
    await waitFor(() => c.inFlight === 0, 'replies');
    let m = await scrape();
    for (
      let tries = 0;
      value(m, 'sluice_malformed_total', { reason: 'frame_count' }) < 3;
      tries++
    ) {
      expect(tries).toBeLessThan(100);
      m = await scrape();
    }

    const router_ = { socket: 'router' };
    expect(value(m, 'sluice_messages_received_total', router_)).toBe(10 + 20 + 1 + 3);
    expect(value(m, 'sluice_messages_handled_total', router_)).toBe(10 + 5);
    expect(value(m, 'sluice_messages_no_handler_total', router_)).toBe(1);
    expect(value(m, 'sluice_rate_limited_total', { ...router_, action: 'reject' })).toBe(15);
    expect(value(m, 'sluice_rate_limited_total', { ...router_, action: 'drop' })).toBe(0);
    const quota = { rule: 'quota', pattern: 'quota' };
    expect(value(m, 'sluice_rate_limit_decisions_total', { ...quota, outcome: 'ok' })).toBe(5);
    expect(value(m, 'sluice_rate_limit_decisions_total', { ...quota, outcome: 'over_limit' })).toBe(
      15,
    );
    // The shadow rule let all 10 through and counted the 8 it would have refused.
    const shadow = { rule: 'free-shadow', pattern: 'free' };
    expect(value(m, 'sluice_rate_limit_decisions_total', { ...shadow, outcome: 'shadow' })).toBe(8);
    expect(value(m, 'sluice_rate_limit_decisions_total', { ...shadow, outcome: 'ok' })).toBe(2);
    expect(value(m, 'sluice_malformed_total', { ...router_, reason: 'frame_count' })).toBe(3);
    expect(value(m, 'sluice_connected_peers', router_)).toBe(2);
    expect(value(m, 'sluice_tracked_keys', { rule: 'peer' })).toBe(1);
    expect(value(m, 'sluice_in_flight')).toBe(0);
    // Handler durations by handler pattern; a pattern with no handler never becomes a label.
    expect(value(m, 'sluice_handler_duration_seconds_count', { ...router_, pattern: 'free' })).toBe(
      10,
    );
    expect(value(m, 'sluice_handler_duration_seconds_count', { pattern: 'quota' })).toBe(5);
    expect(
      value(m, 'sluice_handler_duration_seconds_bucket', { pattern: 'free', le: '+Inf' }),
    ).toBe(10);
    expect(value(m, 'sluice_handler_duration_seconds_sum', { pattern: 'free' })).toBeGreaterThan(0);
    const patterns = new Set(
      m.get('sluice_handler_duration_seconds_count')!.metrics.map((s) => s.labels!.pattern),
    );
    expect([...patterns].sort()).toEqual(['free', 'quota']);
  });

  it('a paused PULL socket: sluice_paused, pause decisions and pause seconds', async () => {
    const registry = new Registry();
    const { scrape, pull, app } = await start({ metrics: { registry } });
    // Without the controller: the registry is the app's to serve (here read directly).
    expect(app.get(ZmqMetrics).registry).toBe(registry);
    const c = await startClient({ push: { connect: pull } });
    cleanup.push(() => c.close());
    const sends = Array.from({ length: 60 }, (_, n) =>
      firstValueFrom(c.emit('pause.me', { n }), { defaultValue: undefined }),
    );
    const read = async () => parseExposition(await registry.metrics());
    let m = await read();
    for (let i = 0; value(m, 'sluice_paused', { socket: 'pull' }) !== 1; i++) {
      expect(i, 'the pull socket pauses').toBeLessThan(300);
      await sleep(10);
      m = await read();
    }
    await sleep(300);
    m = await read();
    expect(
      value(m, 'sluice_rate_limited_total', { socket: 'pull', action: 'pause' }),
    ).toBeGreaterThan(5);
    expect(value(m, 'sluice_pause_seconds_total', { socket: 'pull' })).toBeGreaterThan(0.2);
    expect(
      value(m, 'sluice_rate_limit_decisions_total', { rule: 'pull-budget', outcome: 'over_limit' }),
    ).toBeGreaterThan(5);
    await Promise.allSettled(sends);
    await expect(scrape()).rejects.toThrow(); // no /metrics route without metricsController
  });

  it("registers on prom-client's default registry by default, and unregisters on close", async () => {
    const { app } = await start();
    expect(register.getSingleMetric('sluice_messages_received_total')).toBeDefined();
    expect(await register.metrics()).toMatch(/^sluice_listening\{server="zmq"\} 1$/m);
    await app.close();
    expect(register.getSingleMetric('sluice_messages_received_total')).toBeUndefined();
    // A second app in the same process registers again.
    await start();
    expect(register.getSingleMetric('sluice_handler_duration_seconds')).toBeDefined();
  });

  it('metrics: false registers nothing, and the interceptor only passes through', async () => {
    const { router, app } = await start({ metrics: false });
    expect(app.get(ZmqMetrics, { strict: false })).toBeNull();
    expect(register.getSingleMetric('sluice_listening')).toBeUndefined();
    const c = await startClient({ dealer: { connect: router } });
    cleanup.push(() => c.close());
    expect(await firstValueFrom(c.send('free', 1))).toBe(1);
    expect(await register.metrics()).not.toMatch(/sluice_/);
  });
});
