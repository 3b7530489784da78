import { Logger } from '@nestjs/common';

/**
 * Logs the first occurrence of a key, then at most one summary per key per interval. A flood of
 * bad input must not become a flood of log lines. No timer: summaries are written lazily when the
 * key occurs again after the interval.
 */
export class QuietLogger {
  private readonly seen = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly maxKeys = 1_000,
  ) {}

  /** `message` may be a function: on a flood it is only built for the lines written. */
  warn(key: string, message: string | (() => string), now = Date.now()): void {
    const entry = this.seen.get(key);
    if (entry === undefined) {
      if (this.seen.size >= this.maxKeys) this.seen.clear();
      this.seen.set(key, { since: now, suppressed: 0 });
      this.logger.warn(typeof message === 'string' ? message : message());
      return;
    }
    if (now - entry.since < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const more =
      entry.suppressed > 0
        ? ` (+${entry.suppressed} more in the last ${Math.round((now - entry.since) / 1000)} s)`
        : '';
    this.logger.warn((typeof message === 'string' ? message : message()) + more);
    entry.since = now;
    entry.suppressed = 0;
  }
}
