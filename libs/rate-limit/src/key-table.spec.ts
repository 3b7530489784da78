import { describe, expect, it } from 'vitest';
import { KeyTable } from './key-table.js';

describe('KeyTable', () => {
  it('stores one TAT per key', () => {
    const t = new KeyTable(10);
    t.set('a', 5, 0);
    t.set('a', 7, 0);
    expect(t.get('a')).toBe(7);
    expect(t.size).toBe(1);
  });

  it('never grows past maxKeys', () => {
    const t = new KeyTable(100);
    for (let i = 0; i < 10_000; i++) t.set(`k${i}`, 1e9, 0);
    expect(t.size).toBe(100);
    expect(t.evictedActive).toBe(9_900);
  });

  it('evicts idle entries (TAT <= now) before active ones', () => {
    const t = new KeyTable(4);
    t.set('active-old', 1000, 0);
    t.set('idle1', 10, 0);
    t.set('active', 1000, 0);
    t.set('idle2', 10, 0);
    t.set('new', 1000, 50); // now = 50: idle1 and idle2 are full buckets again
    expect(t.get('active-old')).toBe(1000);
    expect(t.get('active')).toBe(1000);
    expect(t.get('idle1')).toBeUndefined();
    expect(t.get('idle2')).toBeUndefined();
    expect(t.evictedIdle).toBe(2);
    expect(t.evictedActive).toBe(0);
  });

  it('evicts the oldest insertion when no entry is idle', () => {
    const t = new KeyTable(3);
    t.set('a', 100, 0);
    t.set('b', 100, 0);
    t.set('c', 100, 0);
    t.set('d', 100, 0);
    expect(t.get('a')).toBeUndefined();
    expect([t.get('b'), t.get('c'), t.get('d')]).toEqual([100, 100, 100]);
    expect(t.evictedActive).toBe(1);
  });

  it('updating an existing key in a full table evicts nothing', () => {
    const t = new KeyTable(2);
    t.set('a', 100, 0);
    t.set('b', 100, 0);
    t.set('a', 200, 0);
    expect(t.size).toBe(2);
    expect(t.evictedActive + t.evictedIdle).toBe(0);
  });

  it('sweep removes keys idle for idleMs with bounded work per call', () => {
    const t = new KeyTable(1000);
    for (let i = 0; i < 100; i++) t.set(`k${i}`, i, 0);
    expect(t.sweep(200, 150, 10)).toBe(10); // k0..k9 idle since ≥ 150 ms
    expect(t.size).toBe(90);
    expect(t.sweep(200, 150, 1000)).toBe(41); // k10..k50
    expect(t.size).toBe(49);
    expect(t.get('k51')).toBe(51);
  });

  it('reuses freed slots and keeps every value right', () => {
    const t = new KeyTable(3000);
    for (let i = 0; i < 2000; i++) t.set(`k${i}`, i, 0); // grows past the initial 1024 slots
    for (let i = 0; i < 2000; i += 2) t.delete(`k${i}`);
    for (let i = 0; i < 1000; i++) t.set(`n${i}`, 10_000 + i, 0);
    expect(t.size).toBe(2000);
    for (let i = 1; i < 2000; i += 2) expect(t.get(`k${i}`)).toBe(i);
    for (let i = 0; i < 1000; i++) expect(t.get(`n${i}`)).toBe(10_000 + i);
  });

  it('slotOf/setAt update a known key with one lookup', () => {
    const t = new KeyTable(10);
    expect(t.slotOf('a')).toBe(-1);
    t.set('a', 1, 0);
    const slot = t.slotOf('a');
    t.setAt(slot, 42);
    expect(t.tatAt(slot)).toBe(42);
    expect(t.get('a')).toBe(42);
  });
});
