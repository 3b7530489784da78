import { setTimeout as sleep } from 'node:timers/promises';
import { countReply } from '../counters.js';
import { bodyMaker, REQUEST_HEADER, requestId } from '../payload.js';
import { attackDealer, type Scenario, sendLoop } from '../scenario-context.js';

/**
 * A DEALER that sends requests and never reads its replies while it sends: its receive pipe
 * (--hwm) and the kernel buffers fill, then the server's replies to it find a full pipe. A
 * server must fail those replies fast (and count them) rather than stall its other clients.
 * After the attack, the replies that did get through are drained and counted.
 */
export const slowReader: Scenario = async (ctx) => {
  const { router, pattern, size, data, identity } = ctx.options;
  const counters = ctx.counters;
  const socket = attackDealer(ctx, `${identity}-slow`);
  socket.connect(router);
  const body = bodyMaker(size, data);
  try {
    await sendLoop(ctx, (seq) => socket.send([REQUEST_HEADER, requestId(seq), pattern, body(seq)]));
    socket.receiveTimeout = 0;
    let idle = 0;
    for (let i = 0; i <= counters.sent && idle < 3 && !ctx.aborted(); i++) {
      try {
        countReply(counters, await socket.receive());
        idle = 0;
      } catch {
        idle++;
        await sleep(20);
      }
    }
  } finally {
    socket.close();
  }
};
