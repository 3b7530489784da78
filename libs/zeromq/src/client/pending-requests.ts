import { ZmqRequestError } from './zmq-request.error.js';

export type ReplyCallback = (packet: {
  err?: unknown;
  response?: unknown;
  isDisposed?: boolean;
}) => void;

interface Pending {
  callback: ReplyCallback;
  deadline: number;
}

/**
 * Requests awaiting replies, by correlation id. Timeouts need no timer per request: ids are
 * inserted in time order with one timeout, so a single sweep (running only while requests are
 * pending) stops at the first entry that has not expired.
 */
export class PendingRequests {
  private readonly entries = new Map<string, Pending>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly sweepEveryMs: number;

  constructor(private readonly timeoutMs: number) {
    this.sweepEveryMs = Math.min(1_000, Math.max(10, Math.floor(timeoutMs / 10)));
  }

  get size(): number {
    return this.entries.size;
  }

  add(id: string, callback: ReplyCallback): void {
    const deadline = this.timeoutMs > 0 ? Date.now() + this.timeoutMs : Infinity;
    this.entries.set(id, { callback, deadline });
    if (this.sweeper === undefined && this.timeoutMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs);
      this.sweeper.unref();
    }
  }

  get(id: string): ReplyCallback | undefined {
    return this.entries.get(id)?.callback;
  }

  /** Forgets a request (completed, or its subscriber left). */
  delete(id: string): void {
    this.entries.delete(id);
    if (this.entries.size === 0) this.stopSweeping();
  }

  /** Fails one request with `error`. */
  fail(id: string, error: Error): void {
    const pending = this.entries.get(id);
    if (pending === undefined) return;
    this.delete(id);
    pending.callback({ err: error, isDisposed: true });
  }

  /** Fails every pending request with `error` (close, connection lost). */
  failAll(error: Error): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.stopSweeping();
    for (const pending of all) pending.callback({ err: error, isDisposed: true });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, pending] of this.entries) {
      if (pending.deadline > now) break;
      this.fail(
        id,
        new ZmqRequestError(
          'TIMEOUT',
          `No reply within ${this.timeoutMs} ms (ZmqClient option 'timeout').`,
        ),
      );
    }
  }

  private stopSweeping(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
