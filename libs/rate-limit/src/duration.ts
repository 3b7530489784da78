import { RateLimitConfigError, describeValue } from './rate-limit-config.error.js';
import type { RateLimitDuration } from './rate-limit.interfaces.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses `1000`, `'500ms'`, `'1s'`, `'1m'` or `'1h'` into ms; undefined when not a valid positive duration. */
export function tryParseDuration(value: RateLimitDuration): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = DURATION_RE.exec(value);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  return ms > 0 ? ms : undefined;
}

/** Like `tryParseDuration` but throws a `RateLimitConfigError` naming `path`. */
export function parseDuration(value: RateLimitDuration, path = 'per'): number {
  const ms = tryParseDuration(value);
  if (ms === undefined) {
    throw new RateLimitConfigError(
      `${path} must be a positive duration like 1000, '500ms', '1s' or '1m' (got ${describeValue(value)})`,
    );
  }
  return ms;
}
