export interface TopEntry {
  key: string;
  count: number;
}

interface Slot {
  count: number;
  /** Over-estimate inherited from the evicted key (Space-Saving): count - error is a lower bound. */
  error: number;
}

/**
 * The heaviest keys of a stream in bounded memory (Metwally et al., Space-Saving): at most
 * `capacity` keys are kept; a new key, when full, takes the slot of the smallest one and
 * inherits its count. Any key seen more than total / capacity times is guaranteed present, so a
 * flood from a million rotating ids cannot grow the table nor hide a real heavy hitter.
 * Increments are O(1); only a new key in a full table scans it (capacity is a few dozen).
 */
export class TopCounts {
  private readonly slots = new Map<string, Slot>();
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`TopCounts capacity must be a positive integer (got ${capacity})`);
    }
  }

  get size(): number {
    return this.slots.size;
  }

  add(key: string, n = 1): void {
    this.total += n;
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      slot.count += n;
      return;
    }
    if (this.slots.size < this.capacity) {
      this.slots.set(key, { count: n, error: 0 });
      return;
    }
    let minKey = '';
    let min: Slot | undefined;
    for (const [k, s] of this.slots) {
      if (min === undefined || s.count < min.count) {
        min = s;
        minKey = k;
      }
    }
    this.slots.delete(minKey);
    this.slots.set(key, { count: min!.count + n, error: min!.count });
  }

  /** The `n` largest counts, largest first (estimates; see the class comment). */
  top(n: number): TopEntry[] {
    return [...this.slots]
      .map(([key, s]) => ({ key, count: s.count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, n);
  }

  clear(): void {
    this.slots.clear();
    this.total = 0;
  }
}

/** Two tables swapped every window: `top` covers the last one to two windows, never all time. */
export class WindowedTopCounts {
  private current: TopCounts;
  private previous: TopCounts;

  constructor(capacity: number) {
    this.current = new TopCounts(capacity);
    this.previous = new TopCounts(capacity);
  }

  add(key: string, n = 1): void {
    this.current.add(key, n);
  }

  rotate(): void {
    const old = this.previous;
    old.clear();
    this.previous = this.current;
    this.current = old;
  }

  top(n: number): TopEntry[] {
    const merged = new Map<string, number>();
    for (const table of [this.previous, this.current]) {
      for (const { key, count } of table.top(table.capacity)) {
        merged.set(key, (merged.get(key) ?? 0) + count);
      }
    }
    return [...merged]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, n);
  }
}
