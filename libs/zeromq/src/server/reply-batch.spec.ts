import { describe, expect, it } from 'vitest';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';
import { BATCHABLE, batchReplies, repliesIn } from './reply-batch.js';

const peer = (name: string) => Buffer.from(name);
const id = (n: number) => Buffer.from(`r${n}`);
const body = (n: number) => Buffer.from(String(n));

describe('batchReplies', () => {
  it('merges consecutive batchable replies to one peer, in order, done items included', () => {
    const a = peer('a');
    const merged = batchReplies([
      [a, BATCHABLE.next, id(1), body(1)],
      [a, BATCHABLE.complete, id(1)],
      [a, BATCHABLE.error, id(2), body(2)],
    ]);
    expect(merged).toHaveLength(1);
    const [batch] = merged;
    expect(batch[0]).toBe(a);
    expect(batch[1]).toBe(HEADERS[MessageKind.ReplyBatch]);
    expect(batch.slice(2).map(String)).toEqual([
      String(HEADERS[MessageKind.Next]),
      'r1',
      '1',
      String(HEADERS[MessageKind.Done]),
      'r1',
      '',
      String(HEADERS[MessageKind.Error]),
      'r2',
      '2',
    ]);
    expect(repliesIn(batch)).toBe(3);
  });

  it('keeps plain replies as they are, and never mixes peers', () => {
    const [a, b] = [peer('a'), peer('b')];
    const plain = [a, HEADERS[MessageKind.Next], id(9), body(9)];
    const lone = [b, BATCHABLE.next, id(3), body(3)];
    const merged = batchReplies([
      plain,
      [a, BATCHABLE.next, id(1), body(1)],
      [a, BATCHABLE.next, id(2), body(2)],
      lone,
    ]);
    expect(merged[0]).toBe(plain);
    expect(merged[1][1]).toBe(HEADERS[MessageKind.ReplyBatch]);
    expect(repliesIn(merged[1])).toBe(2);
    expect(merged[2]).toBe(lone);
    expect(repliesIn(lone)).toBe(1);
  });

  it('starts a new batch after 64 replies', () => {
    const a = peer('a');
    const merged = batchReplies(
      Array.from({ length: 130 }, (_, n) => [a, BATCHABLE.next, id(n), body(n)]),
    );
    expect(merged.map(repliesIn)).toEqual([64, 64, 2]);
  });
});
