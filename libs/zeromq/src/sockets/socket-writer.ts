export type Frames = Array<Buffer | string>;

/** How a writer may merge what was queued at once into fewer messages. */
export interface Coalesce {
  /** `write()`s queued at once, into fewer messages. */
  merge?(queued: Frames[]): Frames[];
  /** `writeAndWait()`s queued at once (at most MAX_GROUP), into one message. */
  mergeGroup?(group: Frames[]): Frames;
  /** Whether more writes are likely this turn (load), so waiting one turn pays off. */
  worthWaiting(): boolean;
}

/** Waited writes merged into one message at most. */
const MAX_GROUP = 64;
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

  /** Queues a message; failures go to `onError`. */
  write(frames: Frames): void {
    this.queue.push(frames);
    this.start();
  }

  private start(): void {
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
      this.start();
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
          this.coalesce?.merge !== undefined && queued.length > 1
            ? this.coalesce.merge(queued)
            : queued;
        for (const frames of batch) {
          try {
            await this.socket.send(frames);
          } catch (error) {
            this.onError(error, frames);
          }
        }
      }
      if (this.pending.length > 0) {
        const waiting = this.pending;
        this.pending = [];
        const groupSize = this.coalesce?.mergeGroup !== undefined ? MAX_GROUP : 1;
        for (let start = 0; start < waiting.length; start += groupSize) {
          const group = waiting.slice(start, start + groupSize);
          const frames =
            group.length === 1
              ? group[0].frames
              : this.coalesce!.mergeGroup!(group.map((w) => w.frames));
          let failure: unknown;
          try {
            await this.socket.send(frames);
          } catch (error) {
            failure = error ?? new Error('send failed');
          }
          for (const item of group) item.done(failure);
        }
      }
    }
    this.writing = false;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
