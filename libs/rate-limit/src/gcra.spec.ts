import { describe, expect, it } from 'vitest';
import { emissionInterval, gcraNextTat, gcraWait, tolerance } from './gcra.js';

/** Runs one key through GCRA; returns the admitted arrival times. */
function run(limit: number, perMs: number, burst: number, arrivals: number[]) {
  const T = emissionInterval(limit, perMs);
  const tau = tolerance(T, burst);
  let tat: number | undefined;
  const admitted: number[] = [];
  for (const now of arrivals) {
    if (gcraWait(tat, now, tau) === 0) {
      tat = gcraNextTat(tat, now, T);
      admitted.push(now);
    }
  }
  return admitted;
}

describe('GCRA', () => {
  it('admits exactly `burst` messages at once from a fresh key', () => {
    expect(run(10, 1000, 10, Array(50).fill(0))).toHaveLength(10);
    expect(run(10, 1000, 3, Array(50).fill(0))).toHaveLength(3);
    expect(run(10, 1000, 1, Array(50).fill(0))).toHaveLength(1);
  });

  it('does not lose a slot to floating point with a 1000/3 ms interval', () => {
    expect(run(3, 1000, 3, Array(10).fill(0))).toHaveLength(3);
    // After 1000 ms the three slots are back.
    expect(run(3, 1000, 3, [...Array(3).fill(0), ...Array(10).fill(1000)])).toHaveLength(6);
  });

  it('computes the wait until the next slot', () => {
    const T = emissionInterval(10, 1000); // 100 ms
    const tau = tolerance(T, 2); // 100 ms
    let tat = gcraNextTat(undefined, 0, T); // 100
    tat = gcraNextTat(tat, 0, T); // 200
    expect(gcraWait(tat, 0, tau)).toBe(100);
    expect(gcraWait(tat, 60, tau)).toBe(40);
    expect(gcraWait(tat, 100, tau)).toBe(0);
  });

  it('admits burst + t*limit/per over a window starting full', () => {
    const arrivals = Array.from({ length: 100_000 }, (_, i) => i * 0.1); // 10 s, 10k msg/s
    const admitted = run(100, 1000, 20, arrivals);
    expect(admitted.length).toBe(20 + Math.floor(9999.9 / 10));
  });

  it('-Infinity is a fresh key too (the memory store keeps doubles unboxed)', () => {
    expect(gcraWait(-Infinity, 0, 0)).toBe(0);
    expect(gcraNextTat(-Infinity, 7, 10)).toBe(17);
  });

  it('a TAT in the past is the same as a fresh key', () => {
    expect(gcraWait(50, 100, 0)).toBe(0);
    expect(gcraNextTat(50, 100, 10)).toBe(110);
  });
});
