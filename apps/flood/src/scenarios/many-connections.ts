import type { Dealer } from 'zeromq';
import { bodyMaker, REQUEST_HEADER, requestId } from '../payload.js';
import {
  attackDealer,
  paceTo,
  readReplies,
  type Scenario,
  sendLoop,
  settle,
} from '../scenario-context.js';

/**
 * --connections DEALERs connect and each sends one request (its answer proves the connection
 * is served: `answered`). They then stay connected until the end of the run; with --rate > 0
 * they also send that many requests per second in all, round robin. Tests what a server does
 * with many idle or light connections (file descriptors, per-connection buffers).
 */
export const manyConnections: Scenario = async (ctx) => {
  const { router, pattern, size, data, connections, rate, count } = ctx.options;
  const counters = ctx.counters;
  const body = bodyMaker(size, data);
  const sockets: Dealer[] = [];
  const readers: Array<Promise<void>> = [];
  try {
    for (let i = 0; i < connections && !ctx.stopped() && counters.sent < count; i++) {
      const socket = attackDealer(ctx);
      socket.connect(router);
      sockets.push(socket);
      readers.push(
        readReplies(socket, counters, (id) => {
          if (id === 'first') counters.answered++;
        }),
      );
      try {
        await socket.send([REQUEST_HEADER, 'first', pattern, body(i)]);
        counters.sent++;
      } catch (error) {
        counters.sendFailed(error);
      }
    }
    if (rate > 0) {
      await sendLoop(
        ctx,
        (seq) =>
          sockets[seq % sockets.length].send([REQUEST_HEADER, requestId(seq), pattern, body(seq)]),
        count - counters.sent,
      );
    } else {
      await paceTo(ctx, ctx.deadline);
    }
    await settle(ctx, sockets, () => counters.sent);
  } finally {
    for (const socket of sockets) if (!socket.closed) socket.close();
    await Promise.all(readers);
  }
};
