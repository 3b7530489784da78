// Design check only: a longer run than the e2e test, for a fuller chart.
import { ZmqClient } from '@sluice/zeromq';
import { firstValueFrom } from 'rxjs';
import { chromium } from 'playwright-core';
import { bootstrapDemo } from '../apps/demo/src/bootstrap.js';
import { demoConfig } from '../apps/demo/src/demo.config.js';
import { ipcEndpoint } from '../test/support/endpoints.js';

it('long run', async () => {
  const config = { ...demoConfig({}), routerEndpoint: ipcEndpoint('s-r'), pullEndpoint: ipcEndpoint('s-p'), httpPort: 0 };
  const app = await bootstrapDemo(config, false);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: Number(process.env.W ?? 1440), height: 1000 } });
  await page.goto(`${url}/dashboard`);
  const c = new ZmqClient({ dealer: { connect: config.routerEndpoint }, push: { connect: config.pullEndpoint }, timeout: 5000 });
  await c.connect();
  const start = Date.now();
  let n = 0;
  while (Date.now() - start < Number(process.env.SECS ?? 40) * 1000) {
    const s = (Date.now() - start) / 1000;
    const flood = s > 12 && s < 28;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) jobs.push(firstValueFrom(c.emit('readings.ingest', { sensor: `s${n % 30}`, value: n++ }), { defaultValue: 0 }));
    jobs.push(firstValueFrom(c.send('readings.latest', { sensor: 's1' })).catch(() => 0));
    if (flood) for (let i = 0; i < 3; i++) jobs.push(firstValueFrom(c.send('readings.stats', {})).catch(() => 0));
    if (s > 18 && s < 34) jobs.push(firstValueFrom(c.emit('readings.ingest-batch', [{ sensor: 'b', value: 1 }]), { defaultValue: 0 }), firstValueFrom(c.emit('readings.ingest-batch', [{ sensor: 'b', value: 1 }]), { defaultValue: 0 }));
    await Promise.all(jobs);
    await new Promise((r) => setTimeout(r, 20));
  }
  await page.screenshot({ path: '/work/main/test-output/dashboard-narrow.png', fullPage: true });
  await c.close();
  await browser.close();
  await app.close();
}, 120_000);
