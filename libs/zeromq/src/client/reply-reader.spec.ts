import { describe, expect, it } from 'vitest';
import { JsonDeserializer } from '../json.codec.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';
import { PendingRequests } from './pending-requests.js';
import { ReplyReader } from './reply-reader.js';

const frame = (s: string) => Buffer.from(s);

describe('ReplyReader', () => {
  it('settles every item of a reply batch, and counts what matches no request', () => {
    const pending = new PendingRequests(0);
    const reader = new ReplyReader(pending, new JsonDeserializer());
    const seen: unknown[] = [];
    pending.add('a', (packet) => seen.push(['a', packet]));
    pending.add('b', (packet) => seen.push(['b', packet]));
    reader.onReply([
      HEADERS[MessageKind.ReplyBatch],
      HEADERS[MessageKind.Next],
      frame('a'),
      frame('1'),
      HEADERS[MessageKind.Done],
      frame('a'),
      Buffer.alloc(0),
      HEADERS[MessageKind.Error],
      frame('b'),
      frame('{"message":"no"}'),
      HEADERS[MessageKind.Complete],
      frame('zz'),
      frame('2'),
    ]);
    expect(seen).toEqual([
      ['a', { response: 1 }],
      ['a', { isDisposed: true }],
      ['b', { err: { message: 'no' }, isDisposed: true }],
    ]);
    expect(pending.size).toBe(0);
    expect(reader.unmatched).toBe(1);
  });

  it('ignores a reply batch whose frames do not divide into replies', () => {
    const pending = new PendingRequests(0);
    const reader = new ReplyReader(pending, new JsonDeserializer());
    let called = false;
    pending.add('a', () => (called = true));
    reader.onReply([HEADERS[MessageKind.ReplyBatch], HEADERS[MessageKind.Next], frame('a')]);
    expect(called).toBe(false);
    expect(reader.unmatched).toBe(1);
  });
});
