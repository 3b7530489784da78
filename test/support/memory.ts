/** Process memory figures for attack suites (server and attacker share the test process). */
export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
}

const MB = 1024 * 1024;

/** Collects garbage first when the process runs with --expose-gc, so figures compare better. */
export function memorySnapshot(): MemorySnapshot {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

export interface MemoryGrowth {
  rssMb: number;
  heapMb: number;
  text: string;
}

export function memoryGrowth(before: MemorySnapshot, after: MemorySnapshot): MemoryGrowth {
  const rssMb = (after.rss - before.rss) / MB;
  const heapMb = (after.heapUsed - before.heapUsed) / MB;
  const text =
    `rss ${(before.rss / MB).toFixed(0)}→${(after.rss / MB).toFixed(0)} MB (${rssMb >= 0 ? '+' : ''}${rssMb.toFixed(1)}), ` +
    `heap ${(before.heapUsed / MB).toFixed(0)}→${(after.heapUsed / MB).toFixed(0)} MB (${heapMb >= 0 ? '+' : ''}${heapMb.toFixed(1)})`;
  return { rssMb, heapMb, text };
}
