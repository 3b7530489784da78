import { setTimeout as sleep } from 'node:timers/promises';
import type { SocketStats } from './server-stats.js';

/** What a message handler tells the loop: pause this long before offering the same message again. */
export type OnMessage = (frames: Buffer[]) => number | Promise<number>;

export interface ReadLoopHooks {
  /** receive() failed while the socket is open (it rejects with EAGAIN once closed: not reported). */
  onReceiveError(error: unknown): void;
  /** A message handler threw: a bug, never a peer's doing; the loop goes on. */
  onBug(error: unknown): void;
  /** Several messages received as one (a client's batch): offered one by one, in order. */
  split?(frames: Buffer[]): Buffer[][] | undefined;
}

/**
 * The one reader of a socket (zeromq.js allows one pending receive). Nothing thrown by a message
 * escapes. A pause is a plain wait before the same message is offered again: meanwhile nothing is
 * read, the pipe fills to its HWM and ZeroMQ and TCP push back on the senders; the paused message
 * itself is not lost.
 *
 * `maxPendingDecisions` > 1 (a socket with async admission and no pause rule): each decision
 * admits, drops or rejects, so the next message need not wait for it. The store answers in
 * order, so dispatch keeps arrival order; the window bounds the messages held meanwhile.
 */
export async function readLoop(
  socket: { readonly closed: boolean; receive(): Promise<Buffer[]> },
  stats: SocketStats,
  onMessage: OnMessage,
  hooks: ReadLoopHooks,
  maxPendingDecisions = 1,
): Promise<void> {
  let pending = 0;
  let slotFreed: (() => void) | undefined;
  const settled = () => {
    pending--;
    slotFreed?.();
    slotFreed = undefined;
  };

  const pauseThenRetry = async (message: Buffer[], waitMs: number): Promise<void> => {
    while (waitMs > 0 && !socket.closed) {
      const since = (stats.pausedSince ??= performance.now());
      await sleep(waitMs);
      stats.pausedMs += performance.now() - since;
      stats.pausedSince = undefined;
      const next = onMessage(message);
      waitMs = typeof next === 'number' ? next : await next;
    }
  };

  /** Offers one message; a promise only when the loop must wait before the next one. */
  const offer = (message: Buffer[]): Promise<void> | undefined => {
    stats.received++;
    const waitMs = onMessage(message);
    if (typeof waitMs === 'number') return waitMs > 0 ? pauseThenRetry(message, waitMs) : undefined;
    if (maxPendingDecisions === 1) return waitMs.then((wait) => pauseThenRetry(message, wait));
    if (++pending > stats.peakPendingDecisions) stats.peakPendingDecisions = pending;
    waitMs
      .then(
        (wait) => {
          if (wait > 0) hooks.onBug(new Error('A pause verdict on a socket read without pauses.'));
        },
        (error: unknown) => hooks.onBug(error),
      )
      .finally(settled);
    if (pending < maxPendingDecisions) return undefined;
    return new Promise<void>((resolve) => (slotFreed = resolve));
  };

  while (!socket.closed) {
    let frames: Buffer[];
    try {
      frames = await socket.receive();
    } catch (error) {
      if (socket.closed) return;
      hooks.onReceiveError(error);
      continue;
    }
    try {
      const messages = hooks.split?.(frames);
      if (messages === undefined) {
        const wait = offer(frames);
        if (wait !== undefined) await wait;
      } else {
        stats.batches++;
        for (const message of messages) {
          const wait = offer(message);
          if (wait !== undefined) await wait;
        }
      }
    } catch (error) {
      hooks.onBug(error);
    }
  }
}
