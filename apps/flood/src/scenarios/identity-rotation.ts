import { randomBytes } from 'node:crypto';
import type { Dealer } from 'zeromq';
import { bodyMaker, REQUEST_HEADER, requestId } from '../payload.js';
import {
  attackDealer,
  fairShare,
  paceTo,
  readReplies,
  type Scenario,
  waitUntil,
} from '../scenario-context.js';

/** Longest wait for a batch's replies before its sockets are closed. */
const BATCH_GRACE_MS = 500;

/**
 * Many routing ids: batches of --connections DEALERs, each with a fresh routing id, each
 * sending --per-identity requests; the batch waits for its replies (bounded), closes, and the
 * next batch starts. Defeats a per-peer rule on its own and fills a per-peer key table: what
 * the socket budget and the table bound (maxKeys) are for.
 */
export const identityRotation: Scenario = async (ctx) => {
  const { router, pattern, size, data, connections, perIdentity, count, rate } = ctx.options;
  const counters = ctx.counters;
  const tag = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  const body = bodyMaker(size, data);
  const started = performance.now();
  let yielded = started;
  let identities = 0;
  let seq = 0;
  while (!ctx.stopped() && seq < count) {
    const batchSize = Math.min(connections, Math.ceil((count - seq) / perIdentity));
    const batch: Dealer[] = [];
    const readers: Array<Promise<void>> = [];
    for (let i = 0; i < batchSize; i++) {
      const socket = attackDealer(ctx, `rot-${tag}-${(identities++).toString(36)}`);
      socket.connect(router);
      batch.push(socket);
      readers.push(readReplies(socket, counters));
    }
    try {
      for (let round = 0; round < perIdentity && !ctx.stopped(); round++) {
        for (const socket of batch) {
          if (seq >= count || ctx.stopped()) break;
          if (rate > 0) await paceTo(ctx, started + (seq * 1000) / rate);
          yielded = await fairShare(yielded);
          try {
            await socket.send([REQUEST_HEADER, requestId(seq), pattern, body(seq)]);
            counters.sent++;
          } catch (error) {
            counters.sendFailed(error);
          }
          seq++;
        }
      }
      await waitUntil(
        ctx,
        () => counters.terminalReplies >= counters.sent,
        Math.min(ctx.options.graceMs, BATCH_GRACE_MS),
      );
    } finally {
      for (const socket of batch) {
        socket.linger = 0;
        socket.close();
      }
      await Promise.all(readers);
    }
  }
  counters.sendingEndedAt = performance.now();
  ctx.notes.push(`${identities} distinct routing ids in batches of ${connections}`);
};
