import { malformedEvent, malformedRequest, seededRandom } from '../malformed-messages.js';
import {
  attackDealer,
  attackPush,
  readReplies,
  type Scenario,
  sendLoop,
  settle,
  waitUntil,
} from '../scenario-context.js';

/**
 * Every kind of protocol violation, mixed (see malformed-messages.ts), to the ROUTER (default)
 * or the PULL socket (--socket pull). The report lists what was sent by reason, so it can be
 * compared with the server's malformed counters; replies owed (readable id) are awaited.
 */
export const malformed: Scenario = async (ctx) => {
  const { router, pull, socket: target, pattern, seed } = ctx.options;
  const counters = ctx.counters;
  const random = seededRandom(seed);
  const isRouter = target === 'router';
  const generate = isRouter ? malformedRequest : malformedEvent;
  const socket = isRouter ? attackDealer(ctx) : attackPush(ctx);
  socket.connect(isRouter ? router : pull);
  const reading = isRouter && 'receive' in socket ? readReplies(socket, counters) : undefined;
  try {
    await sendLoop(ctx, async (seq) => {
      const message = generate(random, seq, pattern);
      await socket.send(message.frames);
      counters.sentByReason[message.reason] = (counters.sentByReason[message.reason] ?? 0) + 1;
      if (message.replied) counters.repliesOwed++;
    });
    if (isRouter) await settle(ctx, [], () => counters.repliesOwed);
    // No replies on PULL: stay connected for the grace, so that events still in the kernel
    // buffers are read (see push-flood.ts).
    else await waitUntil(ctx, () => false, ctx.options.graceMs);
  } finally {
    socket.close();
    await reading;
  }
};
