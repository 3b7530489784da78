import { isUtf8 } from 'node:buffer';
import { MAX_ID_BYTES, MessageKind, WIRE_VERSION } from './wire.constants.js';
import { MalformedReason } from './malformed-reason.js';

/**
 * Structural checks on an incoming multipart message, before anything is decoded. They return a
 * reason instead of throwing: the reader loop must never throw, and a flood of garbage must cost
 * as little as a few length comparisons.
 */

/** Header at `frames[at]`: a known version and kind. Returns the kind, or a reason. */
export function checkHeader(frames: readonly Buffer[], at: number): MessageKind | MalformedReason {
  const header = frames[at];
  if (header === undefined || header.length !== 2) return MalformedReason.BadHeader;
  if (header[0] !== WIRE_VERSION) return MalformedReason.UnsupportedVersion;
  const kind = header[1];
  if (
    kind !== MessageKind.Request &&
    kind !== MessageKind.Event &&
    kind !== MessageKind.Batch &&
    kind !== MessageKind.EventBatch
  ) {
    return MalformedReason.UnknownKind;
  }
  return kind;
}

/** A correlation id frame: 1 to MAX_ID_BYTES bytes. */
export function isValidId(id: Buffer | undefined): id is Buffer {
  return id !== undefined && id.length > 0 && id.length <= MAX_ID_BYTES;
}

/** A pattern frame: non-empty, bounded, valid UTF-8. */
export function isValidPattern(pattern: Buffer | undefined, maxBytes: number): pattern is Buffer {
  return (
    pattern !== undefined && pattern.length > 0 && pattern.length <= maxBytes && isUtf8(pattern)
  );
}

/**
 * A batch from a DEALER, as the ROUTER receives it: [routingId, header, (id, pattern, body)…].
 * Returns each request as a message of its own, [routingId, request header, id, pattern, body],
 * so every one takes the single-request path (checks, admission, pause) unchanged; undefined when
 * the message is not a batch or its frames do not divide into requests (the caller counts it).
 */
export function splitBatch(frames: Buffer[], requestHeader: Buffer): Buffer[][] | undefined {
  const header = frames[1];
  if (header === undefined || header.length !== 2 || header[1] !== MessageKind.Batch)
    return undefined;
  if (header[0] !== WIRE_VERSION || frames.length < 5 || (frames.length - 2) % 3 !== 0) {
    return undefined;
  }
  const routingId = frames[0];
  const requests: Buffer[][] = [];
  for (let at = 2; at < frames.length; at += 3) {
    requests.push([routingId, requestHeader, frames[at], frames[at + 1], frames[at + 2]]);
  }
  return requests;
}

/**
 * An event batch, as a PULL receives it: [header, (pattern, body)…]. Returns each event as a
 * message of its own, [event header, pattern, body]; undefined when the message is not an event
 * batch or its frames do not divide into events (the caller counts it).
 */
export function splitEventBatch(frames: Buffer[], eventHeader: Buffer): Buffer[][] | undefined {
  const header = frames[0];
  if (header === undefined || header.length !== 2 || header[1] !== MessageKind.EventBatch) {
    return undefined;
  }
  if (header[0] !== WIRE_VERSION || frames.length < 3 || (frames.length - 1) % 2 !== 0) {
    return undefined;
  }
  const events: Buffer[][] = [];
  for (let at = 1; at < frames.length; at += 2)
    events.push([eventHeader, frames[at], frames[at + 1]]);
  return events;
}
