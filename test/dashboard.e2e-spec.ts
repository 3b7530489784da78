import type { INestApplication } from '@nestjs/common';
import type { ZmqClient } from '@sluice/zeromq';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo } from '../apps/demo/src/bootstrap.js';
import { type DemoConfig, demoConfig } from '../apps/demo/src/demo.config.js';
import { demoClient } from './support/demo.js';
import { ipcEndpoint } from './support/endpoints.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(import.meta.dirname, '..', 'test-output', 'dashboard.png');

/** Runs `tick` every `ms` until stopped; resolves `done` once the last tick settled. */
function every(ms: number, tick: () => Promise<unknown>): { stop: () => Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      const next = new Promise((resolve) => setTimeout(resolve, ms));
      await tick();
      await next;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/**
 * The /dashboard page in a real browser (Debian's chromium, headless) against the real demo
 * app, with real ZeroMQ traffic: the page loads, follows the traffic, and shows throttling
 * and back-pressure when floods start.
 */
describe('dashboard', () => {
  let app: INestApplication;
  let config: DemoConfig;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const clients: ZmqClient[] = [];

  const client = () => demoClient(config, clients);

  const emit = (c: ZmqClient, pattern: string, data: unknown) =>
    firstValueFrom(c.emit(pattern, data), { defaultValue: undefined });
  /** Requests whose refusal is expected during a flood: the outcome does not matter here. */
  const ask = (c: ZmqClient, pattern: string, data: unknown = {}) =>
    firstValueFrom(c.send(pattern, data)).catch(() => undefined);
  const text = (selector: string) => page.locator(selector).first().innerText();
  const number = async (selector: string) => Number((await text(selector)).replace(/[^\d.]/g, ''));

  beforeAll(async () => {
    config = {
      ...demoConfig({}),
      routerEndpoint: ipcEndpoint('dash-router'),
      pullEndpoint: ipcEndpoint('dash-pull'),
      httpPort: 0,
    };
    app = await bootstrapDemo(config, false);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (msg) => {
      // A 404 from /health is expected while the app has no terminus endpoint.
      if (msg.type() === 'error' && !msg.location().url.endsWith('/health')) {
        errors.push(`${msg.text()} (${msg.location().url})`);
      }
    });
    (page as Page & { errors?: string[] }).errors = errors;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients.splice(0)) await c.close();
    await browser?.close();
    await app?.close();
  });

  it('loads: title, sections, a card per socket, every rule, a health status', async () => {
    await page.goto(`${baseUrl}/dashboard`);
    expect(await page.title()).toBe('Sluice dashboard · sluice-demo');
    for (const name of ['Sockets', 'Top limited', 'Rules']) {
      expect(await page.getByRole('heading', { name, exact: true }).isVisible()).toBe(true);
    }
    await page.locator('[data-testid=socket-router] .uplot').waitFor();
    await page.locator('[data-testid=socket-pull] .uplot').waitFor();
    expect(await text('[data-testid=socket-router-listening]')).toBe('Listening');
    expect(await page.locator('#rules-body tr').count()).toBe(9);
    expect(await page.locator('tr[data-rule-id="router|readings.stats|stats"]').count()).toBe(1);
    await page.waitForFunction(() =>
      document.querySelector('#live')?.textContent?.includes('Live'),
    );
    expect(await text('#health-badge')).toBe('Healthy');
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
  });

  it('follows the traffic: admitted counters and rates rise while readings flow', async () => {
    const before = await number('[data-testid=socket-pull] [data-field=admitted-total]');
    const sensor = await client();
    const reader = await client();
    let n = 0;
    const traffic = every(20, async () => {
      for (let i = 0; i < 5; i++) {
        await emit(sensor, 'readings.ingest', { sensor: `t-${n % 20}`, value: n++ });
      }
      await ask(reader, 'readings.latest', { sensor: 't-1' });
    });
    try {
      await page.waitForFunction(
        (min) => {
          const card = document.querySelector('[data-testid=socket-pull]');
          const total = Number(
            card?.querySelector('[data-field=admitted-total]')?.textContent?.replace(/\D/g, ''),
          );
          const rate = Number(card?.querySelector('[data-field=admitted-rate]')?.textContent);
          return total >= min && rate > 0;
        },
        before + 50,
        { timeout: 10_000 },
      );
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid=socket-router] [data-field=admitted-rate]')
              ?.textContent,
          ) > 0,
        undefined,
        { timeout: 10_000 },
      );
    } finally {
      await traffic.stop();
    }
    expect(await number('[data-testid=sum-ingested]')).toBeGreaterThan(0);
    expect(await number('[data-testid=sum-peers]')).toBeGreaterThanOrEqual(2);
    expect(await text('[data-testid=socket-pull-state]')).toMatch(/Flowing|Idle/);
    expect(
      await text('tr[data-rule-id="router|readings.latest|latest-per-peer"] [data-field=status]'),
    ).toBe('OK');
  });

  it('shows throttling when a flood starts, and the paused PULL socket', async () => {
    const [flooder, gateway, sensor, reader] = [
      await client(),
      await client(),
      await client(),
      await client(),
    ];
    let n = 0;
    // readings.stats: one shared budget of 50/s; this asks 150/s.
    const queries = every(100, () =>
      Promise.all(Array.from({ length: 15 }, () => ask(flooder, 'readings.stats'))),
    );
    // readings.ingest-batch: 50/s with pause; this pushes 100/s, so PULL pauses.
    const batches = every(50, async () => {
      for (let b = 0; b < 5; b++) {
        const batch = Array.from({ length: 20 }, (_, i) => ({ sensor: `gw-${i}`, value: n++ }));
        await emit(gateway, 'readings.ingest-batch', batch);
      }
    });
    // Background traffic within every limit.
    const background = every(25, async () => {
      await emit(sensor, 'readings.ingest', { sensor: `s-${n % 50}`, value: n });
      await ask(reader, 'readings.latest', { sensor: 'gw-1' });
    });
    const statsRow = 'tr[data-rule-id="router|readings.stats|stats"]';
    try {
      await page.waitForFunction(
        (row) => document.querySelector(`${row} [data-field=status]`)?.textContent === 'Throttling',
        statsRow,
        { timeout: 10_000 },
      );
      expect(await number(`${statsRow} [data-field=limited-rate]`)).toBeGreaterThan(0);
      await page.waitForFunction(
        () => document.querySelector('[data-testid=socket-pull-state]')?.textContent === 'Paused',
        undefined,
        { timeout: 10_000 },
      );
      expect(await text('[data-testid=socket-router-state]')).toBe('Throttling');
      expect(await number('[data-testid=socket-router] [data-field=limited-rate]')).toBeGreaterThan(
        0,
      );
      expect(await number('[data-testid=sum-limited]')).toBeGreaterThan(0);
      expect(await page.locator('#top-limited li[data-rule-name=stats]').count()).toBe(1);
      // Without a terminus /health the page derives the status: a paused socket degrades it.
      expect(await text('#health-badge')).toMatch(/Degraded|Healthy/);
      // Let a few more seconds of history reach the charts, then keep a picture for people.
      await page.waitForTimeout(3_000);
      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await Promise.all([queries.stop(), batches.stop(), background.stop()]);
    }
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
  }, 40_000);
});
