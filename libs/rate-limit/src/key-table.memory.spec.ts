import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KeyTable } from './key-table.js';

// Expose gc() without a command-line flag so the measurement is not noise.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('KeyTable memory', () => {
  it('costs well under 200 bytes per tracked key (100k keys)', () => {
    const N = 100_000;
    // Key strings exist before the table (the transport's routing ids): measure the table.
    const keys = Array.from({ length: N }, (_, i) => `peer-${i.toString(16).padStart(8, '0')}`);
    const before = heapUsed();
    const table = new KeyTable(N);
    for (let i = 0; i < N; i++) table.set(keys[i], 1_000_000.5 + i, 0);
    const after = heapUsed();
    const perKey = (after - before) / N;
    // Measured on Node 20 x64: ~29 bytes per key (Map entry with a small-int slot + 8 bytes of Float64Array).
    console.log(`KeyTable: ${perKey.toFixed(1)} bytes per key (table only)`);
    expect(table.size).toBe(N);
    expect(perKey).toBeGreaterThan(0);
    expect(perKey).toBeLessThan(200);
  });

  it('costs well under 300 bytes per key including a retained 13-char key string', () => {
    const N = 100_000;
    const before = heapUsed();
    const table = new KeyTable(N);
    for (let i = 0; i < N; i++) {
      table.set(`peer-${i.toString(16).padStart(8, '0')}`, 1_000_000.5 + i, 0);
    }
    const perKey = (heapUsed() - before) / N;
    // Measured on Node 20 x64: ~93 bytes per key (the built string adds ~64 bytes).
    console.log(`KeyTable: ${perKey.toFixed(1)} bytes per key (with key strings)`);
    expect(table.size).toBe(N);
    expect(perKey).toBeLessThan(300);
  });
});
