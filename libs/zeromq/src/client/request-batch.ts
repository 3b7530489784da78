import type { Frames } from '../sockets/socket-writer.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';

/** Requests per batch message at most: bounds a batch's size and a failed send's reach. */
const MAX_BATCH = 64;

const BATCH_HEADER = HEADERS[MessageKind.Batch];
const EVENT_BATCH_HEADER = HEADERS[MessageKind.EventBatch];

/**
 * Requests queued on the DEALER at once ([header, id, pattern, body] each) go out as batch
 * messages [batch header, id1, pattern1, body1, …] (docs/wire-protocol.md): under load one
 * native send and one receive carry many requests. A lone request goes out as it is.
 */
export function batchRequests(queued: Frames[]): Frames[] {
  const messages: Frames[] = [];
  for (let start = 0; start < queued.length; start += MAX_BATCH) {
    const end = Math.min(queued.length, start + MAX_BATCH);
    if (end - start === 1) {
      messages.push(queued[start]);
      continue;
    }
    const batch: Frames = [BATCH_HEADER];
    for (let i = start; i < end; i++) {
      const request = queued[i];
      batch.push(request[1], request[2], request[3]);
    }
    messages.push(batch);
  }
  return messages;
}

/** The correlation ids a request or batch message carries (to fail them when it was not sent). */
export function idsOf(frames: Frames): string[] {
  if (frames[0] !== BATCH_HEADER) return [String(frames[1])];
  const ids: string[] = [];
  for (let at = 1; at < frames.length; at += 3) ids.push(String(frames[at]));
  return ids;
}

/** Events [header, pattern, body] emitted together on a PUSH, as one event batch message. */
export function batchEvents(events: Frames[]): Frames {
  const batch: Frames = [EVENT_BATCH_HEADER];
  for (const event of events) batch.push(event[1], event[2]);
  return batch;
}
