import {
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { normalizeRule } from '../config-validation.js';
import { emissionInterval, gcraNextTat, gcraWait, tolerance } from '../gcra.js';
import { KeyTable } from '../key-table.js';
import { RateLimitConfigError } from '../rate-limit-config.error.js';
import type { RateLimitDuration } from '../rate-limit.interfaces.js';
import { RateLimitedException } from '../rate-limited.exception.js';
import { DelayQueue } from './delay-queue.js';

/**
 * - `drop`: values over the limit are discarded;
 * - `delay`: every value is emitted at its GCRA slot (nothing lost, order kept per key);
 * - `error`: the stream errors with a `RateLimitedException` carrying `retryAfterMs`.
 */
export type RateLimitOperatorAction = 'drop' | 'delay' | 'error';

export interface LimitOperatorOptions {
  limit: number;
  per: RateLimitDuration;
  /** Values that may pass at once. Default: `limit`. */
  burst?: number;
  action: RateLimitOperatorAction;
  /** Rule name in errors. */
  name?: string;
  /** Time source and timer; default `asyncScheduler` (use a TestScheduler in marble tests). */
  scheduler?: SchedulerLike;
}

const ACTIONS: RateLimitOperatorAction[] = ['drop', 'delay', 'error'];

/** Shared by `rateLimit` and `keyedRateLimit`: GCRA per key, one pending timer at most. */
export function gcraLimit<T>(
  options: LimitOperatorOptions,
  keyOf: (value: T) => string,
  maxKeys: number,
  path: string,
): MonoTypeOperatorFunction<T> {
  const { limit, per, burst, name } = options;
  const rule = normalizeRule({ limit, per, burst, name }, path);
  if (!ACTIONS.includes(options.action)) {
    throw new RateLimitConfigError(
      `${path}.action must be one of drop, delay, error (got '${String(options.action)}')`,
    );
  }
  const action = options.action;
  const scheduler = options.scheduler ?? asyncScheduler;
  const T = emissionInterval(rule.limit, rule.perMs);
  const tau = tolerance(T, rule.burst);

  return (source) =>
    new Observable<T>((subscriber) => {
      const table = new KeyTable(maxKeys);
      const queue = new DelayQueue<T>();
      let timer: Subscription | undefined;
      let timerAt = Infinity;
      let sourceDone = false;

      const emitDue = () => {
        const now = scheduler.now();
        while (queue.size > 0 && queue.peekAt() <= now) subscriber.next(queue.shift()!);
      };
      const arm = () => {
        const at = queue.peekAt();
        if (at === timerAt) return;
        timer?.unsubscribe();
        timerAt = at;
        timer =
          at === Infinity
            ? undefined
            : scheduler.schedule(
                () => {
                  timer = undefined;
                  timerAt = Infinity;
                  emitDue();
                  if (queue.size > 0) arm();
                  else if (sourceDone) subscriber.complete();
                },
                Math.max(0, at - scheduler.now()),
              );
      };

      const sub = source.subscribe({
        next: (value) => {
          // Values already due go first, so a new value never overtakes them.
          if (queue.size > 0) emitDue();
          const now = scheduler.now();
          const key = keyOf(value);
          const tat = table.get(key);
          const wait = gcraWait(tat, now, tau);
          if (wait === 0) {
            table.set(key, gcraNextTat(tat, now, T), now);
            subscriber.next(value);
          } else if (action === 'delay') {
            // Reserve the slot now: later values of the key queue behind it.
            const at = now + wait;
            table.set(key, gcraNextTat(tat, at, T), now);
            queue.push(at, value);
            arm();
          } else if (action === 'error') {
            subscriber.error(new RateLimitedException(rule.name, wait));
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (queue.size === 0) subscriber.complete();
        },
      });

      return () => {
        sub.unsubscribe();
        timer?.unsubscribe();
        queue.clear();
        table.clear();
      };
    });
}
