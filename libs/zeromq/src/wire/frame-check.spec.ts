import { describe, expect, it } from 'vitest';
import { checkHeader, splitBatch, splitEventBatch } from './frame-check.js';
import { HEADERS, MessageKind } from './wire.constants.js';

const rid = Buffer.from('peer');
const text = (s: string) => Buffer.from(s);
const request = HEADERS[MessageKind.Request];

describe('splitBatch', () => {
  it('turns a batch into single requests carrying the routing id, in order', () => {
    const frames = [
      rid,
      HEADERS[MessageKind.Batch],
      text('a'),
      text('sum'),
      text('[1]'),
      text('b'),
      text('echo'),
      text('2'),
    ];
    expect(splitBatch(frames, request)).toEqual([
      [rid, request, text('a'), text('sum'), text('[1]')],
      [rid, request, text('b'), text('echo'), text('2')],
    ]);
  });

  it('leaves alone what is not a well-formed batch (the caller counts it)', () => {
    const batch = HEADERS[MessageKind.Batch];
    expect(splitBatch([rid, request, text('a'), text('p'), text('b')], request)).toBeUndefined();
    expect(splitBatch([rid, batch, text('a'), text('p')], request)).toBeUndefined();
    expect(splitBatch([rid, batch], request)).toBeUndefined();
    expect(
      splitBatch(
        [rid, Buffer.from([2, MessageKind.Batch]), text('a'), text('p'), text('b')],
        request,
      ),
    ).toBeUndefined();
    expect(checkHeader([rid, batch, text('a'), text('p')], 1)).toBe(MessageKind.Batch);
  });
});

describe('splitEventBatch', () => {
  const event = HEADERS[MessageKind.Event];
  const batch = HEADERS[MessageKind.EventBatch];

  it('turns an event batch into single events, in order', () => {
    expect(splitEventBatch([batch, text('a'), text('1'), text('b'), text('2')], event)).toEqual([
      [event, text('a'), text('1')],
      [event, text('b'), text('2')],
    ]);
  });

  it('leaves alone what is not a well-formed event batch', () => {
    expect(splitEventBatch([batch, text('a')], event)).toBeUndefined();
    expect(splitEventBatch([batch], event)).toBeUndefined();
    expect(splitEventBatch([event, text('a'), text('1')], event)).toBeUndefined();
  });
});
