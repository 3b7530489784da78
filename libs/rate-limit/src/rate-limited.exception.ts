import { RpcException } from '@nestjs/microservices';
import { RATE_LIMITED_CODE } from './rate-limit.constants.js';

/** The error body a client receives for a rate-limited request. */
export interface RateLimitedError {
  status: 'error';
  code: typeof RATE_LIMITED_CODE;
  message: string;
  retryAfterMs: number;
  rule: string;
}

/**
 * The error body for a refused request. Transports that answer on their own (ZmqServer) send
 * this directly: building an exception captures a stack trace, microseconds per refusal.
 */
export function rateLimitedError(rule: string, retryAfterMs: number): RateLimitedError {
  // Whole milliseconds, rounded up: retrying at the advertised time must succeed.
  const wait = Math.max(0, Math.ceil(retryAfterMs));
  return {
    status: 'error',
    code: RATE_LIMITED_CODE,
    message: `Rate limit exceeded for rule "${rule}": retry after ${wait} ms`,
    retryAfterMs: wait,
    rule,
  };
}

/**
 * An `RpcException`, so Nest's RPC exception filter forwards `getError()` to the client
 * as is (a plain Error would reach it as the generic "Internal server error").
 */
export class RateLimitedException extends RpcException {
  readonly retryAfterMs: number;
  readonly rule: string;

  constructor(rule: string, retryAfterMs: number) {
    const body = rateLimitedError(rule, retryAfterMs);
    super(body);
    this.name = 'RateLimitedException';
    this.retryAfterMs = body.retryAfterMs;
    this.rule = rule;
  }

  override getError(): RateLimitedError {
    return super.getError() as RateLimitedError;
  }
}

/** True for a rate-limit error as a client sees it (plain body) or as thrown (exception). */
export function isRateLimitedError(
  err: unknown,
): err is { code: 'RATE_LIMITED'; retryAfterMs: number } {
  if (err instanceof RateLimitedException) return true;
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === RATE_LIMITED_CODE &&
    typeof (err as { retryAfterMs?: unknown }).retryAfterMs === 'number'
  );
}
