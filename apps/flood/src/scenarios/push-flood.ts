import { bodyMaker, EVENT_HEADER } from '../payload.js';
import { attackPush, type Scenario, sendLoop, waitUntil } from '../scenario-context.js';

/**
 * PUSH → PULL events as fast as allowed (or at --rate). A PUSH blocks at its HWM, so a server
 * that pauses reading slows this sender down instead of losing events; a send that waits
 * longer than --send-timeout counts as `blocked`. Bodies carry `n` = the count of events sent
 * before, so the receiver can check that nothing was lost or reordered.
 *
 * The socket stays open --grace ms after the last send: events already written to the kernel
 * are lost if the PUSH disconnects while the server is paused (libzmq stops reading a
 * connection whose pipe is full and drops the rest of it when it sees the hang-up).
 */
export const pushFlood: Scenario = async (ctx) => {
  const { pull, pattern, size, data } = ctx.options;
  const socket = attackPush(ctx);
  socket.connect(pull);
  const body = bodyMaker(size, data);
  try {
    await sendLoop(ctx, () => socket.send([EVENT_HEADER, pattern, body(ctx.counters.sent)]));
    await waitUntil(ctx, () => false, ctx.options.graceMs);
  } finally {
    socket.close();
  }
};
