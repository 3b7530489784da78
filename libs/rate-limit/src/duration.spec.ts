import { describe, expect, it } from 'vitest';
import { parseDuration, tryParseDuration } from './duration.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';

describe('parseDuration', () => {
  it.each([
    [1000, 1000],
    ['500ms', 500],
    ['1s', 1000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([0, -5, NaN, '1 sec', '1d', '', 's', '0s'])('rejects %s', (bad) => {
    expect(tryParseDuration(bad)).toBeUndefined();
    expect(() => parseDuration(bad, 'rateLimit.peer.per')).toThrow(RateLimitConfigError);
  });

  it('names the field and the accepted forms', () => {
    expect(() => parseDuration('1 sec', "'per'")).toThrow(
      "'per' must be a positive duration like 1000, '500ms', '1s' or '1m' (got '1 sec')",
    );
  });
});
