import type { MonoTypeOperatorFunction } from 'rxjs';
import { DEFAULT_MAX_KEYS } from '../rate-limit.constants.js';
import { gcraLimit, type LimitOperatorOptions } from './gcra-limit.js';

export interface KeyedRateLimitOperatorOptions<T> extends LimitOperatorOptions {
  /** Budget key of a value, e.g. `(msg) => msg.tenantId`. */
  key: (value: T) => string;
  /** Keys tracked at once (bounded table, idle keys evicted first). Default 100 000. */
  maxKeys?: number;
}

/**
 * One GCRA budget per key. With `delay`, order is kept per key; values of a key under its
 * limit pass at once even while another key's values wait.
 * ```ts
 * orders$.pipe(keyedRateLimit({ key: (o) => o.customer, limit: 5, per: '1s', action: 'drop' }))
 * ```
 */
export function keyedRateLimit<T>(
  options: KeyedRateLimitOperatorOptions<T>,
): MonoTypeOperatorFunction<T> {
  return gcraLimit<T>(
    options,
    options.key,
    options.maxKeys ?? DEFAULT_MAX_KEYS,
    'keyedRateLimit()',
  );
}
