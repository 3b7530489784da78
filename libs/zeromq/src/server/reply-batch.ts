import type { Frames } from '../sockets/socket-writer.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';

/** Replies per batch message at most. */
const MAX_BATCH = 64;
const EMPTY = Buffer.alloc(0);

/**
 * Headers of replies that may travel in a reply batch: the same bytes as the usual ones, other
 * objects. Only replies to requests that came in a batch use them, so a peer that sends plain
 * requests (any ZeroMQ client) gets plain replies, and a Sluice client gets batches.
 */
export const BATCHABLE = {
  next: Buffer.from(HEADERS[MessageKind.Next]),
  complete: Buffer.from(HEADERS[MessageKind.Complete]),
  error: Buffer.from(HEADERS[MessageKind.Error]),
} as const;

const isBatchable = (frames: Frames) =>
  frames[1] === BATCHABLE.next || frames[1] === BATCHABLE.complete || frames[1] === BATCHABLE.error;

/**
 * Merges the ROUTER's queued replies [routingId, header, id, body?] into reply batches
 * [routingId, batch header, (header, id, body)…] for consecutive batchable replies to the same
 * peer, keeping every peer's order. A reply that stands alone goes out as it is.
 */
export function batchReplies(queued: Frames[]): Frames[] {
  const out: Frames[] = [];
  let run: Frames[] = [];
  const flush = () => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) out.push(merge(run));
    run = [];
  };
  for (const reply of queued) {
    if (!isBatchable(reply)) {
      flush();
      out.push(reply);
      continue;
    }
    if (
      run.length > 0 &&
      (run.length === MAX_BATCH || !(run[0][0] as Buffer).equals(reply[0] as Buffer))
    ) {
      flush();
    }
    run.push(reply);
  }
  flush();
  return out;
}

function merge(replies: Frames[]): Frames {
  const batch: Frames = [replies[0][0], HEADERS[MessageKind.ReplyBatch]];
  for (const reply of replies) {
    if (reply.length === 3) batch.push(HEADERS[MessageKind.Done], reply[2], EMPTY);
    else batch.push(reply[1], reply[2], reply[3]);
  }
  return batch;
}

/** How many replies a message sent by the ROUTER carries (to count the undelivered ones). */
export function repliesIn(frames: Frames): number {
  return frames[1] === HEADERS[MessageKind.ReplyBatch] ? (frames.length - 2) / 3 : 1;
}
