import { EVENT_HEADER, REQUEST_HEADER, WIRE_VERSION } from './payload.js';

/**
 * Malformed Sluice messages, one kind per violation of docs/wire-protocol.md, each labelled
 * with the reason a conforming server counts it under. Deterministic for a seed, so a run that
 * upsets a server can be replayed. (The tool's own generator: it does not import the tests'.)
 */
export interface MalformedMessage {
  frames: Buffer[];
  /** The server's counter: bad_header, unsupported_version, unknown_kind, frame_count, bad_id, bad_pattern, bad_body. */
  reason: string;
  /** The server can read a correlation id, so it owes an error reply. */
  replied: boolean;
}

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const header = (version: number, kind: number) => Buffer.from([version, kind]);
const text = (s: string) => Buffer.from(s, 'utf8');
const LONG_ID = Buffer.alloc(65, 0x41);
const EMPTY = Buffer.alloc(0);
const BAD_UTF8 = Buffer.from([0xff, 0xfe, 0xfd]);
const LONG_PATTERN = Buffer.alloc(5000, 0x61);
const BODY = text('[1]');

function garbage(random: () => number, max: number): Buffer {
  const bytes = Buffer.allocUnsafe(Math.floor(random() * max));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Request-side violations (DEALER → ROUTER); `pattern` should have a handler for bad_body. */
export function malformedRequest(
  random: () => number,
  n: number,
  pattern: string,
): MalformedMessage {
  const id = text(`m${n.toString(36)}`);
  const p = text(pattern);
  switch (n % 12) {
    case 0:
      return { frames: [EMPTY], reason: 'bad_header', replied: false };
    case 1: {
      let junk = garbage(random, 300);
      if (junk.length === 2) junk = Buffer.concat([junk, Buffer.from([0])]);
      const second = garbage(random, 50);
      // A header that is not two bytes says nothing about the frames after it: never answered.
      return { frames: [junk, second], reason: 'bad_header', replied: false };
    }
    case 2: {
      const version = WIRE_VERSION + 1 + Math.floor(random() * 250);
      return {
        frames: [header(version, 1), id, p, BODY],
        reason: 'unsupported_version',
        replied: true,
      };
    }
    case 3: {
      const kind = 7 + Math.floor(random() * 200); // 1–6 are the protocol's kinds
      return {
        frames: [header(WIRE_VERSION, kind), id, p, BODY],
        reason: 'unknown_kind',
        replied: true,
      };
    }
    case 4:
      return { frames: [REQUEST_HEADER, id, p], reason: 'frame_count', replied: true };
    case 5:
      return {
        frames: [REQUEST_HEADER, id, p, BODY, text('extra')],
        reason: 'frame_count',
        replied: true,
      };
    case 6:
      return { frames: [REQUEST_HEADER, EMPTY, p, BODY], reason: 'bad_id', replied: false };
    case 7:
      return { frames: [REQUEST_HEADER, LONG_ID, p, BODY], reason: 'bad_id', replied: false };
    case 8:
      return { frames: [REQUEST_HEADER, id, BAD_UTF8, BODY], reason: 'bad_pattern', replied: true };
    case 9:
      return {
        frames: [REQUEST_HEADER, id, LONG_PATTERN, BODY],
        reason: 'bad_pattern',
        replied: true,
      };
    case 10:
      return {
        frames: [REQUEST_HEADER, id, p, text('{"unterminated')],
        reason: 'bad_body',
        replied: true,
      };
    default:
      return { frames: [EVENT_HEADER, p], reason: 'frame_count', replied: false };
  }
}

/** Event-side violations (PUSH → PULL). Nothing is ever replied on PULL. */
export function malformedEvent(random: () => number, n: number, pattern: string): MalformedMessage {
  const p = text(pattern);
  switch (n % 6) {
    case 0:
      return {
        frames: [Buffer.from([Math.floor(random() * 256)])],
        reason: 'bad_header',
        replied: false,
      };
    case 1:
      return {
        frames: [header(9, 2), p, text('{}')],
        reason: 'unsupported_version',
        replied: false,
      };
    case 2:
      return { frames: [REQUEST_HEADER, p, text('{}')], reason: 'unknown_kind', replied: false };
    case 3:
      return { frames: [EVENT_HEADER, p], reason: 'frame_count', replied: false };
    case 4:
      return {
        frames: [EVENT_HEADER, Buffer.from([0xc3, 0x28]), text('{}')],
        reason: 'bad_pattern',
        replied: false,
      };
    default:
      return { frames: [EVENT_HEADER, p, text('not json')], reason: 'bad_body', replied: false };
  }
}
