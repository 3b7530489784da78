import { Router } from 'zeromq';

/**
 * The second line of identity binding on a CURVE ROUTER: a message is passed on only when its
 * routing id is an authenticated key (on the allow-list, or any well-formed key without one).
 * The ZAP reply pins the routing id to the client's key; this drops the rare message whose
 * connection kept the routing id its peer declared (see ZAP_REPLY_DELAY_MS), and, with an
 * allow-list, every message of a key removed from it, live connection or not.
 *
 * A Router whose `receive()` skips such messages, so the server's reader loop (the hot path)
 * is unchanged: they never reach admission, rate limits or a handler. (zeromq.js seals its
 * socket instances, hence a subclass rather than a wrapped method.)
 */
export function authenticatedRouter(
  accepts: (routingId: Buffer) => boolean,
  onDropped: (routingId: Buffer) => void,
  options: ConstructorParameters<typeof Router>[0],
): Router {
  class AuthenticatedRouter extends Router {
    override async receive(): Promise<Buffer[]> {
      for (;;) {
        const frames = await super.receive();
        if (accepts(frames[0])) return frames;
        onDropped(frames[0]);
      }
    }
  }
  return new AuthenticatedRouter(options);
}
