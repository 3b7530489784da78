import type { Logger } from '@nestjs/common';
import type { Socket } from 'zeromq';
import { QuietLogger } from '../server/quiet-logger.js';

/** First wait before reconnecting an endpoint whose server refused this socket's key. */
export const REFUSED_RETRY_MIN_MS = 1_000;
/** Longest wait between such reconnects. */
export const REFUSED_RETRY_MAX_MS = 30_000;

/**
 * Sets CURVE options (`curveServer`, keys, `zapDomain`, `routingId`, …) on a socket, before it
 * binds or connects; names the socket type does not have (no routing id on a PUSH) are skipped.
 */
export function applyCurveSocketOptions(socket: Socket, options: object): void {
  for (const [name, value] of Object.entries(options)) {
    if (name in socket) (socket as unknown as Record<string, unknown>)[name] = value;
  }
}

/**
 * libzmq gives up on a connection whose handshake failed authentication (ZAP status 400): it
 * does not reconnect. A key may be allowed later (the server reloads its allow-list), so the
 * connecting side reconnects itself, with a backoff from 1 s to 30 s, and says why once.
 */
export function reconnectWhenRefused(socket: Socket, logger: Logger, hint: string): void {
  const quiet = new QuietLogger(logger, 30_000);
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  socket.events.on('handshake', ({ address }) => attempts.delete(address));
  socket.events.on('handshake:error:auth', ({ address, error }) => {
    const attempt = attempts.get(address) ?? 0;
    attempts.set(address, attempt + 1);
    const delay = Math.min(REFUSED_RETRY_MAX_MS, REFUSED_RETRY_MIN_MS * 2 ** attempt);
    quiet.warn(
      `refused:${address}`,
      `${address} refused this socket's CURVE key (ZAP status ${error.status ?? '?'}): ${hint}. Retrying in ${delay / 1000} s.`,
    );
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (socket.closed) return;
      try {
        socket.disconnect(address);
      } catch {
        // Already gone after the failed handshake: nothing to undo.
      }
      try {
        socket.connect(address);
      } catch {
        // Closed meanwhile.
      }
    }, delay);
    timer.unref();
    timers.add(timer);
  });
  socket.events.on('handshake:error:protocol', ({ address, error }) => {
    quiet.warn(
      `protocol:${address}`,
      `CURVE handshake with ${address} failed (${error.code ?? error.message}): check that both ends use CURVE and that the server public key is right.`,
    );
  });
  socket.events.on('end', () => {
    for (const timer of timers) clearTimeout(timer);
  });
}
