import type { MalformedReason } from '@sluice/zeromq';

/** A deterministic generator (mulberry32), so a failing fuzz run can be replayed. */
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

export interface BadMessage {
  frames: Buffer[];
  reason: MalformedReason;
  /** Whether the server can read a correlation id and so owes the sender an error reply. */
  replied: boolean;
}

const header = (version: number, kind: number) => Buffer.from([version, kind]);
const text = (s: string) => Buffer.from(s, 'utf8');

/** Malformed messages as a DEALER sends them to a ROUTER (the ROUTER adds the routing id). */
export function badRequest(random: () => number, n: number): BadMessage {
  const garbage = (max: number) => {
    const bytes = Buffer.alloc(Math.floor(random() * max));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return bytes;
  };
  const id = text(`fz${n.toString(36)}`);
  switch (n % 12) {
    case 0:
      return {
        frames: [Buffer.alloc(0)],
        reason: 'bad_header',
        replied: false,
      };
    case 1: {
      let junk = garbage(300);
      if (junk.length === 2) junk = Buffer.concat([junk, Buffer.from([0])]);
      return {
        frames: [junk, garbage(50)],
        reason: 'bad_header',
        replied: false,
      };
    }
    case 2:
      return {
        frames: [header(2 + Math.floor(random() * 250), 1), id, text('sum'), text('[1]')],
        reason: 'unsupported_version',
        replied: true,
      };
    case 3:
      return {
        frames: [header(1, 6 + Math.floor(random() * 200)), id, text('sum'), text('[1]')],
        reason: 'unknown_kind',
        replied: true,
      };
    case 4:
      return {
        frames: [header(1, 1), id, text('sum')],
        reason: 'frame_count',
        replied: true,
      };
    case 5:
      return {
        frames: [header(1, 1), id, text('sum'), text('[1]'), text('extra')],
        reason: 'frame_count',
        replied: true,
      };
    case 6:
      return {
        frames: [header(1, 1), Buffer.alloc(0), text('sum'), text('[1]')],
        reason: 'bad_id',
        replied: false,
      };
    case 7:
      return {
        frames: [header(1, 1), Buffer.alloc(65, 0x41), text('sum'), text('[1]')],
        reason: 'bad_id',
        replied: false,
      };
    case 8:
      return {
        frames: [header(1, 1), id, Buffer.from([0xff, 0xfe, 0xfd]), text('[1]')],
        reason: 'bad_pattern',
        replied: true,
      };
    case 9:
      return {
        frames: [header(1, 1), id, Buffer.alloc(5000, 0x61), text('[1]')],
        reason: 'bad_pattern',
        replied: true,
      };
    case 10:
      return {
        frames: [header(1, 1), id, text('sum'), text('{"unterminated')],
        reason: 'bad_body',
        replied: true,
      };
    default:
      return {
        frames: [header(1, 2), text('notify')],
        reason: 'frame_count',
        replied: false,
      };
  }
}

/** Malformed messages as a PUSH sends them to a PULL. */
export function badEvent(random: () => number, n: number): Omit<BadMessage, 'replied'> {
  switch (n % 6) {
    case 0:
      return {
        frames: [Buffer.from([Math.floor(random() * 256)])],
        reason: 'bad_header',
      };
    case 1:
      return {
        frames: [header(9, 2), text('notify'), text('{}')],
        reason: 'unsupported_version',
      };
    case 2:
      return {
        frames: [header(1, 1), text('notify'), text('{}')],
        reason: 'unknown_kind',
      };
    case 3:
      return { frames: [header(1, 2), text('notify')], reason: 'frame_count' };
    case 4:
      return {
        frames: [header(1, 2), Buffer.from([0xc3, 0x28]), text('{}')],
        reason: 'bad_pattern',
      };
    default:
      return {
        frames: [header(1, 2), text('notify'), text('not json')],
        reason: 'bad_body',
      };
  }
}
