export type Frames = Array<Buffer | string>;

/** How a writer may merge what was queued at once into fewer messages. */
export interface Coalesce {
  merge(queued: Frames[]): Frames[];
  /** Whether more writes are likely this turn (load), so waiting one turn pays off. */
  worthWaiting(): boolean;
}
type OnSendError = (error: unknown, frames: Frames) => void;

/**
 * The one writer of a socket. zeromq.js rejects a second concurrent `send()` with EBUSY, and
 * Nest flushes several replies in the same tick, so every outgoing message goes through here:
 * a FIFO drained by a single loop. A failed send is reported and never stops the messages behind it.
 */
export class SocketWriter {
  private queue: Frames[] = [];
  private pending: Array<{ frames: Frames; done: (error?: unknown) => void }> = [];
  private writing = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly socket: { send(frames: Frames): Promise<void> },
    private readonly onError: OnSendError,
    /** Merges messages queued at once into fewer (a client's request batch); optional. */
    private readonly coalesce?: Coalesce,
  ) {}

  get queued(): number {
    return this.queue.length + this.pending.length;
  }

  /** Queues a message; failures go to `onError`. */
  write(frames: Frames): void {
    this.queue.push(frames);
    if (this.writing) return;
    if (this.coalesce === undefined || !this.coalesce.worthWaiting()) {
      void this.drain();
      return;
    }
    // Under load, start one turn later: what this turn writes goes out together.
    this.writing = true;
    setImmediate(() => void this.drain());
  }

  /** Queues a message and resolves when ZeroMQ took it (or rejects): the caller feels the HWM. */
  writeAndWait(frames: Frames): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        frames,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
      if (!this.writing) void this.drain();
    });
  }

  /** Resolves once everything queued so far has been handed to ZeroMQ. */
  flushed(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0 || this.pending.length > 0) {
      if (this.queue.length > 0) {
        const queued = this.queue;
        this.queue = [];
        const batch =
          this.coalesce !== undefined && queued.length > 1 ? this.coalesce.merge(queued) : queued;
        for (const frames of batch) {
          try {
            await this.socket.send(frames);
          } catch (error) {
            this.onError(error, frames);
          }
        }
      }
      if (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        for (const item of batch) {
          try {
            await this.socket.send(item.frames);
            item.done();
          } catch (error) {
            item.done(error ?? new Error('send failed'));
          }
        }
      }
    }
    this.writing = false;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
