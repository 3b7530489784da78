import { Injectable, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AdmissionGate } from './admission-gate.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';
import type { RateLimitEvent } from './rate-limit-event.interface.js';
import { RateLimitEvents } from './rate-limit-events.js';
import type { RateLimitModuleOptions } from './rate-limit.interfaces.js';
import { RateLimitModule } from './rate-limit.module.js';
import { RateLimitRegistry } from './rate-limit.registry.js';

const at = (now: number) => new Date(performance.timeOrigin + now).toISOString();

/** A registry, one gate built from its options, and the events stream driven on a script clock. */
function setup(options: RateLimitModuleOptions, socketKind: 'pull' | 'router' = 'pull') {
  const registry = new RateLimitRegistry(options);
  const gate = registry.buildGate({ socket: socketKind, socketKind, handlers: [] });
  const events = new RateLimitEvents(registry);
  const seen: RateLimitEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  events.start(0, false);
  return { registry, gate, events, seen };
}

/** `n` messages spread evenly over [from, from + 100). */
function send(gate: AdmissionGate, n: number, from: number, peer?: string) {
  for (let i = 0; i < n; i++) void gate.admit('p', peer, from + (i * 100) / n);
}

const EVENTS = {
  intervalMs: 100,
  nearLimitRatio: 0.8,
  sustainedAfterMs: 300,
  sustainedShare: 0.1,
  quietAfterMs: 200,
};

describe('RateLimitEvents', () => {
  it('reports a scripted load through a real gate as the exact sequence of state changes', () => {
    const { registry, gate, events, seen } = setup({
      sockets: { pull: { name: 'pull-budget', limit: 100, per: '1s', burst: 1 } },
      events: EVENTS,
    });
    // [from, messages per 100 ms]: 50/s, 90/s, 500/s (10 admitted + 40 dropped per 100 ms),
    // silence, then 90/s and 180/s under a limit raised to 200/s.
    const script: [number, number][] = [
      [0, 5],
      [100, 5],
      [200, 5],
      [300, 9],
      [400, 9],
      [500, 50],
      [600, 50],
      [700, 50],
      [800, 50],
      [900, 0],
      [1000, 0],
      [1100, 0],
      [1200, 0],
    ];
    const ticks: number[] = [];
    const run = (steps: [number, number][]) => {
      for (const [from, n] of steps) {
        send(gate, n, from);
        events.evaluate(from + 100);
        // Remember which tick produced each event.
        while (ticks.length < seen.length) ticks.push(from + 100);
      }
    };
    run(script);
    registry.setLimit('pull-budget', 200);
    ticks.push(1300);
    run([
      [1300, 9],
      [1400, 9],
      [1500, 18],
      [1600, 18],
    ]);

    expect(seen.map((e, i) => `${ticks[i]} ${e.type}`)).toEqual([
      '400 near_limit',
      '600 throttling.started',
      '800 throttling.sustained',
      '1100 throttling.stopped',
      '1300 config.changed',
      '1600 near_limit',
    ]);
    const rule = {
      socket: 'pull',
      rule: 'pull-budget',
      ruleId: 'pull|*|pull-budget',
      pattern: undefined,
      key: 'socket',
      limit: 100,
      perMs: 1000,
      burst: 1,
      action: 'drop',
      shadow: false,
    };
    const [near, started, sustained, stopped, changed, nearAgain] = seen;
    expect(near).toEqual({
      type: 'near_limit',
      at: at(400),
      ...rule,
      rate: 90,
      limitedRate: 0,
      limitedShare: 0,
    });
    expect(started).toEqual({
      type: 'throttling.started',
      at: at(600),
      ...rule,
      rate: 100,
      limitedRate: 400,
      limitedShare: 0.8,
    });
    expect(sustained).toEqual({
      type: 'throttling.sustained',
      at: at(800),
      ...rule,
      rate: 100,
      limitedRate: 400,
      limitedShare: 0.8,
      since: at(500),
      durationMs: 300,
      limited: 120,
    });
    expect(stopped).toEqual({
      type: 'throttling.stopped',
      at: at(1100),
      ...rule,
      rate: 0,
      limitedRate: 0,
      limitedShare: 0,
      since: at(500),
      durationMs: 400,
      limited: 160,
    });
    expect(changed).toMatchObject({
      type: 'config.changed',
      ...rule,
      limit: 200,
      previous: { limit: 100, perMs: 1000, burst: 1 },
    });
    expect(nearAgain).toMatchObject({ type: 'near_limit', limit: 200, rate: 180 });
    expect(gate.socketRules[0].dropped).toBe(160);
  });

  it('compares only single-budget rules with their limit; per-peer rules report throttling', () => {
    const { registry, gate, events, seen } = setup(
      { peer: { limit: 10, per: '1s', burst: 1 }, events: EVENTS },
      'router',
    );
    // 50 peers at 10/s each: 500/s in all, far above 10/s, but no peer is near its own budget.
    for (let t = 0; t < 300; t += 100) {
      for (let p = 0; p < 50; p++) void gate.admit('p', `peer-${p}`, t + p);
      events.evaluate(t + 100);
    }
    expect(seen).toEqual([]);
    // One peer floods: the shared rule starts throttling.
    send(gate, 20, 300, 'peer-0');
    events.evaluate(400);
    expect(seen.map((e) => [e.type, e.rule, e.key, e.action])).toEqual([
      ['throttling.started', 'peer', 'peer', 'reject'],
    ]);
    // Its gate goes away while throttling: the episode is closed.
    registry.unregister(gate);
    events.evaluate(500);
    expect(seen.map((e) => e.type)).toEqual(['throttling.started', 'throttling.stopped']);
    expect(seen[1]).toMatchObject({ limited: 19, since: at(300), durationMs: 100 });
  });

  it('reports shadow rules as shadow, from the messages they would have limited', () => {
    const { gate, events, seen } = setup({
      sockets: { pull: { limit: 10, per: '1s', burst: 1, shadow: true } },
      events: EVENTS,
    });
    send(gate, 10, 0);
    events.evaluate(100);
    expect(seen).toEqual([
      expect.objectContaining({
        type: 'throttling.started',
        shadow: true,
        rate: 10,
        limitedRate: 90,
        limitedShare: 0.9,
      }),
    ]);
  });

  it('counts from start(): activity before it starts no episode', () => {
    const registry = new RateLimitRegistry({
      sockets: { pull: { limit: 1, per: '1s', burst: 1 } },
    });
    const gate = registry.buildGate({ socket: 'pull', socketKind: 'pull', handlers: [] });
    send(gate, 50, 0);
    const events = new RateLimitEvents(registry);
    const seen: RateLimitEvent[] = [];
    events.events$.subscribe((e) => seen.push(e));
    events.start(1_000, false);
    events.evaluate(2_000);
    expect(seen).toEqual([]);
    expect(events).toMatchObject({
      intervalMs: 1_000,
      nearLimitRatio: 0.8,
      sustainedAfterMs: 30_000,
      sustainedShare: 0.1,
      quietAfterMs: 10_000,
    });
  });

  it('fails the bootstrap on invalid events options, naming the field', () => {
    expect(() => new RateLimitRegistry({ events: { nearLimitRatio: 1.5 } })).toThrow(
      new RateLimitConfigError(
        'rateLimit.events.nearLimitRatio must be a number above 0 and at most 1 (got 1.5): e.g. 0.8 for 80% of the limit',
      ),
    );
    expect(() => new RateLimitRegistry({ events: { quietAfterMs: '10 sec' } })).toThrow(
      /rateLimit\.events\.quietAfterMs must be a positive duration/,
    );
    expect(() => new RateLimitRegistry({ events: { interval: 5 } as never })).toThrow(
      /rateLimit\.events\.interval is not a known option: use one of intervalMs, /,
    );
  });
});

@Injectable()
class Alerts implements OnModuleInit, OnModuleDestroy {
  readonly received: RateLimitEvent[] = [];
  private subscription: Subscription | undefined;
  constructor(private readonly events: RateLimitEvents) {}
  onModuleInit() {
    this.subscription = this.events.events$.subscribe((e) => this.received.push(e));
  }
  onModuleDestroy() {
    this.subscription?.unsubscribe();
  }
}

@Module({
  imports: [
    RateLimitModule.forRoot({
      sockets: { pull: { name: 'pull-budget', limit: 20, per: '1s', burst: 1 } },
      events: { intervalMs: 50, sustainedAfterMs: 100, quietAfterMs: 150 },
    }),
  ],
  providers: [Alerts],
})
class AlertsAppModule {}

describe('RateLimitEvents in a Nest application', () => {
  it('a provider of the app receives the events of a real flood on the module timer', async () => {
    const app = await NestFactory.createApplicationContext(AlertsAppModule, { logger: false });
    const alerts = app.get(Alerts);
    const registry = app.get(RateLimitRegistry);
    const events = app.get(RateLimitEvents);
    expect(events.intervalMs).toBe(50);
    let completed = false;
    events.events$.subscribe({ complete: () => (completed = true) });
    const gate = registry.buildGate({ socket: 'pull', socketKind: 'pull', handlers: [] });
    // 20 messages every 5 ms for 400 ms against 20/s: nearly all dropped.
    const pump = setInterval(() => {
      for (let i = 0; i < 20; i++) void gate.admit('p', undefined, performance.now());
    }, 5);
    await sleep(400);
    clearInterval(pump);
    const deadline = performance.now() + 3_000;
    while (!alerts.received.some((e) => e.type === 'throttling.stopped')) {
      if (performance.now() > deadline) throw new Error('no throttling.stopped');
      await sleep(20);
    }
    registry.setLimit('pull-budget', 50);
    expect(alerts.received.map((e) => e.type)).toEqual([
      'throttling.started',
      'throttling.sustained',
      'throttling.stopped',
      'config.changed',
    ]);
    const [started, , stopped, changed] = alerts.received;
    expect(started).toMatchObject({ socket: 'pull', rule: 'pull-budget', action: 'drop' });
    expect(started.limitedShare).toBeGreaterThan(0.9);
    expect(stopped.limited).toBe(gate.socketRules[0].dropped);
    expect(changed).toMatchObject({ limit: 50, previous: { limit: 20 } });
    await app.close();
    expect(completed).toBe(true);
  });
});
