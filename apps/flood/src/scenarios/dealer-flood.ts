import { bodyMaker, REQUEST_HEADER, requestId } from '../payload.js';
import { attackDealer, readReplies, type Scenario, sendLoop, settle } from '../scenario-context.js';

/**
 * Requests from one DEALER with one routing id (--identity): what a per-peer rule must stop.
 * Every reply is read and classified (ok, RATE_LIMITED, other errors); requests without a
 * reply after --grace were dropped by the server or timed out.
 */
export const dealerFlood: Scenario = async (ctx) => {
  const { router, pattern, size, data, identity } = ctx.options;
  const socket = attackDealer(ctx, identity);
  socket.connect(router);
  const reading = readReplies(socket, ctx.counters);
  const body = bodyMaker(size, data);
  try {
    await sendLoop(ctx, (seq) => socket.send([REQUEST_HEADER, requestId(seq), pattern, body(seq)]));
    await settle(ctx, [socket], () => ctx.counters.sent);
  } finally {
    if (!socket.closed) socket.close();
    await reading;
  }
};
