export interface RetryOnRateLimitOptions {
  /** Retries per request after a RATE_LIMITED reply. Default 3. */
  maxRetries?: number;
  /** A retry-after longer than this is not waited for: the caller gets the error. Default 5000 ms. */
  maxDelayMs?: number;
}

/** Patterns whose hold has expired are forgotten past this many entries. */
const MAX_HELD_PATTERNS = 10_000;

/**
 * Client-side backpressure for rate-limited patterns. After a RATE_LIMITED reply the pattern is
 * held until its retry-after has passed: retries and new requests of that pattern wait instead
 * of spending the server's time on certain rejections. No timer runs here; callers ask
 * `delayFor` when they send.
 */
export class RetryAfterBackoff {
  readonly maxRetries: number;
  readonly maxDelayMs: number;
  private readonly holdUntil = new Map<string, number>();

  constructor(options: RetryOnRateLimitOptions) {
    this.maxRetries = options.maxRetries ?? 3;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
  }

  /** How long a request of `pattern` should wait before it is sent (0: now). */
  delayFor(pattern: string, now = Date.now()): number {
    const until = this.holdUntil.get(pattern);
    if (until === undefined) return 0;
    if (until <= now) {
      this.holdUntil.delete(pattern);
      return 0;
    }
    return until - now;
  }

  /** Records a RATE_LIMITED reply; returns whether the request should be retried. */
  limited(pattern: string, retryAfterMs: number, attempt: number, now = Date.now()): boolean {
    if (this.holdUntil.size >= MAX_HELD_PATTERNS) this.forgetExpired(now);
    const until = now + retryAfterMs;
    if (until > (this.holdUntil.get(pattern) ?? 0)) this.holdUntil.set(pattern, until);
    return attempt < this.maxRetries && retryAfterMs <= this.maxDelayMs;
  }

  private forgetExpired(now: number): void {
    for (const [pattern, until] of this.holdUntil) if (until <= now) this.holdUntil.delete(pattern);
    if (this.holdUntil.size >= MAX_HELD_PATTERNS) this.holdUntil.clear();
  }
}
