import { TopCounts, WindowedTopCounts } from './top-counts.js';

describe('TopCounts (Space-Saving)', () => {
  it('counts exactly while the keys fit', () => {
    const t = new TopCounts(4);
    for (const k of ['a', 'b', 'a', 'c', 'a', 'b']) t.add(k);
    expect(t.top(2)).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 2 },
    ]);
    expect(t.total).toBe(6);
  });

  it('stays bounded under a million rotating ids and still finds the heavy hitter', () => {
    const t = new TopCounts(40);
    for (let i = 0; i < 200_000; i++) {
      t.add(`spoofed-${i}`);
      if (i % 4 === 0) t.add('heavy');
    }
    expect(t.size).toBe(40);
    const [first] = t.top(1);
    expect(first.key).toBe('heavy');
    // Over-estimates are bounded by total / capacity.
    expect(first.count).toBeGreaterThanOrEqual(50_000);
    expect(first.count).toBeLessThanOrEqual(50_000 + t.total / 40);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new TopCounts(0)).toThrow(RangeError);
  });
});

describe('WindowedTopCounts', () => {
  it('covers the current and the previous window, then forgets', () => {
    const t = new WindowedTopCounts(8);
    t.add('old', 5);
    t.rotate();
    t.add('new', 2);
    t.add('old', 1);
    expect(t.top(5)).toEqual([
      { key: 'old', count: 6 },
      { key: 'new', count: 2 },
    ]);
    t.rotate();
    t.rotate();
    expect(t.top(5)).toEqual([]);
  });
});
