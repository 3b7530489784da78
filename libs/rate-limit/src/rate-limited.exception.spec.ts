import { RpcException } from '@nestjs/microservices';
import { describe, expect, it } from 'vitest';
import { RateLimitedException, isRateLimitedError } from './rate-limited.exception.js';

describe('RateLimitedException', () => {
  it('is an RpcException carrying code, retryAfterMs and rule', () => {
    const e = new RateLimitedException('x', 119.2);
    expect(e).toBeInstanceOf(RpcException);
    expect(e.getError()).toEqual({
      status: 'error',
      code: 'RATE_LIMITED',
      message: 'Rate limit exceeded for rule "x": retry after 120 ms',
      retryAfterMs: 120,
      rule: 'x',
    });
    expect(e.message).toBe('Rate limit exceeded for rule "x": retry after 120 ms');
  });

  it('isRateLimitedError recognises the exception and the wire body only', () => {
    expect(isRateLimitedError(new RateLimitedException('x', 1))).toBe(true);
    expect(isRateLimitedError({ code: 'RATE_LIMITED', retryAfterMs: 5 })).toBe(true);
    expect(isRateLimitedError({ code: 'RATE_LIMITED' })).toBe(false);
    expect(isRateLimitedError(new Error('x'))).toBe(false);
    expect(isRateLimitedError(null)).toBe(false);
  });
});
