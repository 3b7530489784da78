/**
 * Sluice wire protocol, version 1 (docs/wire-protocol.md).
 *
 * Every message starts with (or, on PUB/SUB, follows the topic with) a two-byte header frame:
 * [version, kind]. The pattern travels in a frame of its own so that admission can read it
 * without parsing the body.
 */
export const WIRE_VERSION = 1;

export const MessageKind = {
  /** DEALER → ROUTER: [header, id, pattern, body] */
  Request: 1,
  /** PUSH → PULL and DEALER → ROUTER: [header, pattern, body]; PUB → SUB: [pattern, header, body] */
  Event: 2,
  /** ROUTER → DEALER: [header, id, body], one value of a streamed response */
  Next: 3,
  /** ROUTER → DEALER: [header, id] or [header, id, body]: the last value (if any), then completion */
  Complete: 4,
  /** ROUTER → DEALER: [header, id, body], body = the error object; ends the response */
  Error: 5,
  /**
   * DEALER → ROUTER: [header, id1, pattern1, body1, …, idN, patternN, bodyN]: requests a client
   * had queued at once, in one ZeroMQ message (one native send and receive for N requests).
   */
  Batch: 6,
  /**
   * ROUTER → DEALER: [header, (itemHeader, id, body)…]: replies to requests that came in a batch,
   * for the same peer, in one ZeroMQ message. Each item is a next, complete, error or done reply.
   */
  ReplyBatch: 7,
  /** Inside a reply batch only: [header, id, (empty)], the response ends without a value. */
  Done: 8,
  /** PUSH → PULL: [header, pattern1, body1, …]: events a client sent in one turn, in one message. */
  EventBatch: 9,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/** Longest correlation id accepted, in bytes. The client's own ids are short base-36 counters. */
export const MAX_ID_BYTES = 64;
/** Default for the longest pattern accepted, in bytes (`maxPatternBytes` option). */
export const DEFAULT_MAX_PATTERN_BYTES = 1024;

/** Header frames are immutable, so one shared buffer per kind serves every message. */
export const HEADERS: Readonly<Record<MessageKind, Buffer>> = {
  [MessageKind.Request]: Buffer.from([WIRE_VERSION, MessageKind.Request]),
  [MessageKind.Event]: Buffer.from([WIRE_VERSION, MessageKind.Event]),
  [MessageKind.Next]: Buffer.from([WIRE_VERSION, MessageKind.Next]),
  [MessageKind.Complete]: Buffer.from([WIRE_VERSION, MessageKind.Complete]),
  [MessageKind.Error]: Buffer.from([WIRE_VERSION, MessageKind.Error]),
  [MessageKind.Batch]: Buffer.from([WIRE_VERSION, MessageKind.Batch]),
  [MessageKind.ReplyBatch]: Buffer.from([WIRE_VERSION, MessageKind.ReplyBatch]),
  [MessageKind.Done]: Buffer.from([WIRE_VERSION, MessageKind.Done]),
  [MessageKind.EventBatch]: Buffer.from([WIRE_VERSION, MessageKind.EventBatch]),
};
