import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildAdmissionGate } from './gate-builder.js';
import { Verdict } from './verdict.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('AdmissionGate allocation', () => {
  it('allocates nothing per decision on the memory store (known keys)', () => {
    const gate = buildAdmissionGate({
      socket: 'router',
      socketKind: 'router',
      options: {
        sockets: { router: { limit: 1_000_000_000, per: '1s' } },
        peer: { limit: 100_000_000, per: '1s' },
      },
      handlers: [
        { pattern: 'p', isEvent: false, extras: { rateLimit: [{ limit: 10_000_000, per: '1s' }] } },
      ],
    });
    const peers = Array.from({ length: 1000 }, (_, i) => `peer-${i}`);
    let now = 0;
    const run = (n: number) => {
      let admitted = 0;
      for (let i = 0; i < n; i++) {
        now += 1;
        if (gate.admit('p', peers[i % 1000], now) === Verdict.Admit) admitted++;
      }
      return admitted;
    };
    run(500_000); // let the JIT optimise the path (the interpreter boxes doubles)
    gc();
    const before = process.memoryUsage().heapUsed;
    expect(run(1_000_000)).toBe(1_000_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Measured ~20 KB for 1M decisions (noise); a boxed double per decision would be 16+ MB.
    expect(grown).toBeLessThan(2_000_000);
  });
});
