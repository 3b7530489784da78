import { setTimeout as sleep } from 'node:timers/promises';
import type { SocketStats } from './server-stats.js';

/** What a message handler tells the loop: pause this long before offering the same message again. */
export type OnMessage = (frames: Buffer[]) => number | Promise<number>;

export interface ReadLoopHooks {
  /** receive() failed while the socket is open (it rejects with EAGAIN once closed: not reported). */
  onReceiveError(error: unknown): void;
  /** A message handler threw: a bug, never a peer's doing; the loop goes on. */
  onBug(error: unknown): void;
}

/**
 * The one reader of a socket (zeromq.js allows one pending receive). Nothing thrown by a message
 * escapes. A pause is a plain wait before the same message is offered again: meanwhile nothing is
 * read, the pipe fills to its HWM and ZeroMQ and TCP push back on the senders; the paused message
 * itself is not lost.
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
  while (!socket.closed) {
    let frames: Buffer[];
    try {
      frames = await socket.receive();
    } catch (error) {
      if (socket.closed) return;
      hooks.onReceiveError(error);
      continue;
    }
    stats.received++;
    try {
      let waitMs = onMessage(frames);
      if (typeof waitMs !== 'number' && maxPendingDecisions > 1) {
        // A socket with no pause rule: each async decision admits, drops or rejects, so the next
        // message need not wait for it. The store answers in order, so dispatch keeps arrival
        // order; the window bounds how many decisions (and messages) are held meanwhile.
        if (++pending > stats.peakPendingDecisions) stats.peakPendingDecisions = pending;
        waitMs
          .then(
            (wait) => {
              if (wait > 0)
                hooks.onBug(new Error('A pause verdict on a socket read without pauses.'));
            },
            (error: unknown) => hooks.onBug(error),
          )
          .finally(settled);
        if (pending >= maxPendingDecisions) await new Promise<void>((r) => (slotFreed = r));
        continue;
      }
      if (typeof waitMs !== 'number') waitMs = await waitMs;
      while (waitMs > 0 && !socket.closed) {
        const since = (stats.pausedSince ??= performance.now());
        await sleep(waitMs);
        stats.pausedMs += performance.now() - since;
        stats.pausedSince = undefined;
        waitMs = onMessage(frames);
        if (typeof waitMs !== 'number') waitMs = await waitMs;
      }
    } catch (error) {
      hooks.onBug(error);
    }
  }
}
