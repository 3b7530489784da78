import type { MonoTypeOperatorFunction } from 'rxjs';
import { gcraLimit, type LimitOperatorOptions } from './gcra-limit.js';

export type RateLimitOperatorOptions = LimitOperatorOptions;

/**
 * Limits a stream to `limit` values per `per` with a `burst` (GCRA, no timer per value).
 * ```ts
 * source$.pipe(rateLimit({ limit: 10, per: '1s', action: 'delay' }))
 * ```
 */
export function rateLimit<T>(options: RateLimitOperatorOptions): MonoTypeOperatorFunction<T> {
  return gcraLimit<T>(options, () => '', 1, 'rateLimit()');
}
