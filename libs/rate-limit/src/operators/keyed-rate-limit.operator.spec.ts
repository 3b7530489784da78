import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { keyedRateLimit } from './keyed-rate-limit.operator.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const values = { a: 'a1', b: 'a2', c: 'a3', x: 'x1', y: 'x2', z: 'x3' };
const key = (v: string) => v[0];

describe('keyedRateLimit()', () => {
  it('drop: one budget per key', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcxyz', values);
      expectObservable(
        source.pipe(keyedRateLimit({ key, limit: 1, per: 10, action: 'drop' })),
      ).toBe('a--x--', values);
    });
  });

  it('delay: per-key slots, order kept per key, other keys not held back', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcx|', values);
      // a-key: a1@0, a2@10, a3@20; x1 is under its own budget and passes at 3.
      expectObservable(
        source.pipe(keyedRateLimit({ key, limit: 1, per: 10, action: 'delay' })),
      ).toBe('a--x------b---------(c|)', values);
    });
  });

  it('delay: a later key due earlier re-arms the single timer', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      // x1@0, a1@5 pass; a2@6 waits for 15 (timer armed); x2@7 is due at 10: re-armed.
      const source = cold('x----aby|', values);
      expectObservable(
        source.pipe(keyedRateLimit({ key, limit: 1, per: 10, action: 'delay' })),
      ).toBe('x----a----y----(b|)', values);
    });
  });

  it('bounds the keys it tracks', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      // maxKeys 1: x evicts a (still active), so a2 gets a fresh budget.
      const source = cold('axb', values);
      expectObservable(
        source.pipe(
          keyedRateLimit({
            key,
            limit: 1,
            per: 10,
            action: 'drop',
            maxKeys: 1,
          }),
        ),
      ).toBe('axb', values);
    });
  });

  it('error: names the keyed rule', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab', values);
      const limited = source.pipe(
        keyedRateLimit({
          key,
          limit: 1,
          per: 10,
          action: 'error',
          name: 'tenant',
        }),
      );
      expectObservable(limited).toBe(
        'a#',
        values,
        expect.objectContaining({ retryAfterMs: 9, rule: 'tenant' }),
      );
    });
  });
});
