import { type SchedulerAction, type SchedulerLike, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { RateLimitConfigError } from '../rate-limit-config.error.js';
import { RateLimitedException } from '../rate-limited.exception.js';
import { rateLimit } from './rate-limit.operator.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Wraps a scheduler to count timers that are scheduled and neither run nor cancelled. */
function counting(inner: SchedulerLike) {
  const live = new Set<object>();
  const scheduler: SchedulerLike = {
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      const token = {};
      live.add(token);
      const sub = inner.schedule<T>(
        function (s) {
          live.delete(token);
          work.call(this, s);
        },
        delay,
        state,
      );
      sub.add(() => live.delete(token));
      return sub;
    },
  };
  return { scheduler, live };
}

// limit 2 per 10 ms, burst 2: T = 5 ms, tau = 5 ms.
describe('rateLimit()', () => {
  it('drop: lets the burst through, drops the excess, then passes one value per slot', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcdef----g|');
      expectObservable(source.pipe(rateLimit({ limit: 2, per: 10, action: 'drop' }))).toBe(
        'ab---f----g|',
      );
    });
  });

  it('delay: emits every value at its GCRA slot, in order, then completes', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcdef|');
      expectObservable(source.pipe(rateLimit({ limit: 2, per: '10ms', action: 'delay' }))).toBe(
        'ab---c----d----e----(f|)',
      );
    });
  });

  it('delay: keeps at most one pending timer however many values wait', () => {
    const ts = newScheduler();
    ts.run(() => {
      const { scheduler, live } = counting(ts);
      const input = new Subject<number>();
      const out: number[] = [];
      input
        .pipe(rateLimit({ limit: 1, per: 10, action: 'delay', scheduler }))
        .subscribe((v) => out.push(v));
      for (let i = 0; i < 50; i++) input.next(i);
      expect(out).toEqual([0]);
      expect(live.size).toBe(1);
      ts.flush();
      expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(ts.now()).toBe(490);
      expect(live.size).toBe(0);
    });
  });

  it('delay: unsubscribing cancels the pending timer and drops the queue', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { scheduler, live } = counting(ts);
      const limited = cold('abcd').pipe(
        rateLimit({ limit: 1, per: 10, action: 'delay', scheduler }),
      );
      expectObservable(limited, '^------------!').toBe('a---------b--');
      ts.flush();
      expect(live.size).toBe(0);
    });
  });

  it('delay: passes source errors through at once', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abc#');
      expectObservable(source.pipe(rateLimit({ limit: 1, per: 10, action: 'delay' }))).toBe('a--#');
    });
  });

  it('error: errors with a RateLimitedException carrying retryAfterMs', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abc');
      expectObservable(
        source.pipe(rateLimit({ limit: 2, per: 10, action: 'error', name: 'feed' })),
      ).toBe('ab#', undefined, new RateLimitedException('feed', 3));
    });
  });

  it('uses the given scheduler clock: values spaced at the rate all pass', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 4ms b 4ms c 4ms d|');
      expectObservable(source.pipe(rateLimit({ limit: 1, per: 5, action: 'drop' }))).toBe(
        'a 4ms b 4ms c 4ms d|',
      );
    });
  });

  it('validates its options', () => {
    expect(() => rateLimit({ limit: 0, per: 10, action: 'drop' })).toThrow(
      'rateLimit().limit must be a positive integer (got 0)',
    );
    expect(() => rateLimit({ limit: 1, per: 10, action: 'reject' as never })).toThrow(
      RateLimitConfigError,
    );
  });
});
