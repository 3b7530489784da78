import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The page's files live in src/dashboard/public (tsc does not copy them): found beside this
 * module when it runs from the sources (Vitest), or from apps/demo/dist/dashboard/ when built.
 */
export function publicDir(from: string = import.meta.dirname): string {
  const candidates = [join(from, 'public'), join(from, '..', '..', 'src', 'dashboard', 'public')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) {
    throw new Error(`Dashboard files not found; looked in ${candidates.join(', ')}`);
  }
  return found;
}

const uplotDist = () => dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The page's ES modules in public/: `dashboard.js` is the entry, the rest are its imports. */
const MODULES = [
  'dashboard.js',
  'config.js',
  'format.js',
  'dom.js',
  'rates.js',
  'charts.js',
  'render-sockets.js',
  'render-rules.js',
  'health.js',
] as const;

/** Every file the page may load, by URL name: nothing else on disk is reachable. */
const FILES: Record<string, { dir: () => string; file: string; type: string }> = {
  'index.html': { dir: publicDir, file: 'index.html', type: 'text/html; charset=utf-8' },
  ...Object.fromEntries(MODULES.map((file) => [file, { dir: publicDir, file, type: JS }])),
  'dashboard.css': { dir: publicDir, file: 'dashboard.css', type: CSS },
  'uPlot.esm.js': { dir: uplotDist, file: 'uPlot.esm.js', type: JS },
  'uPlot.min.css': { dir: uplotDist, file: 'uPlot.min.css', type: CSS },
};

/** Reads each file once, on first use. */
export class DashboardAssets {
  private readonly cache = new Map<string, Promise<Asset>>();

  has(name: string): boolean {
    return Object.hasOwn(FILES, name);
  }

  get(name: string): Promise<Asset> {
    const entry = FILES[name];
    if (!this.has(name) || entry === undefined) throw new Error(`Unknown dashboard asset ${name}`);
    let asset = this.cache.get(name);
    if (asset === undefined) {
      asset = readFile(join(entry.dir(), entry.file)).then((body) => ({ body, type: entry.type }));
      asset.catch(() => this.cache.delete(name));
      this.cache.set(name, asset);
    }
    return asset;
  }
}
