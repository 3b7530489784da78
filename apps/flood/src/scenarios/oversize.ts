import { REQUEST_HEADER, EVENT_HEADER, requestId } from '../payload.js';
import {
  attackDealer,
  attackPush,
  readReplies,
  type Scenario,
  sendLoop,
  settle,
} from '../scenario-context.js';

/**
 * Messages of --size bytes (default 2 MiB), meant to exceed the server's maxMessageSize: libzmq
 * disconnects the sender as soon as it reads the size, and the socket reconnects by itself.
 * The tool counts its own connects and disconnects. One body buffer is reused for every send
 * (zero-copy), so the attacker's memory stays flat.
 */
export const oversize: Scenario = async (ctx) => {
  const { router, pull, socket: target, pattern, size } = ctx.options;
  const counters = ctx.counters;
  const big = Buffer.alloc(size, 0x78);
  const isRouter = target === 'router';
  const socket = isRouter ? attackDealer(ctx) : attackPush(ctx);
  // Reconnect at once after each disconnect: every attempt costs the server a new connection.
  socket.reconnectInterval = 10;
  socket.reconnectMaxInterval = 0;
  socket.events.on('connect', () => counters.connects++);
  socket.events.on('disconnect', () => counters.disconnects++);
  socket.connect(isRouter ? router : pull);
  const reading = isRouter && 'receive' in socket ? readReplies(socket, counters) : undefined;
  try {
    await sendLoop(ctx, (seq) =>
      socket.send(
        isRouter ? [REQUEST_HEADER, requestId(seq), pattern, big] : [EVENT_HEADER, pattern, big],
      ),
    );
    // Replies only come if the server accepted such messages; do not wait long for them.
    if (isRouter) await settle(ctx, [], () => counters.sent);
  } finally {
    socket.close();
    await reading;
  }
};
