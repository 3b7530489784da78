import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { MALFORMED_REASONS, type MalformedReason } from '../wire/malformed-reason.js';
import { SocketKind } from '../zmq.constants.js';

/** Error bodies the server answers with on its own (handlers' errors are Nest's). */
export const INTERNAL_ERROR = { status: 'error', message: 'Internal server error' };
export const SHUTTING_DOWN = {
  status: 'error',
  code: 'SHUTTING_DOWN',
  message: 'The server is shutting down; retry on another instance.',
};
export const NO_HANDLER = { status: 'error', message: NO_MESSAGE_HANDLER };

// Log keys and lines for the quiet logger, built once: bad input must not allocate per message.
const SOCKETS = [SocketKind.Router, SocketKind.Pull, SocketKind.Sub] as const;
export const NO_EVENT_HANDLER_KEYS = Object.fromEntries(
  SOCKETS.map((socket) => [socket, `no-event-handler:${socket}`]),
) as Record<SocketKind, string>;
export const MALFORMED_NOTES = Object.fromEntries(
  SOCKETS.map((socket) => [
    socket,
    Object.fromEntries(
      MALFORMED_REASONS.map((reason) => [
        reason,
        {
          key: `malformed:${socket}:${reason}`,
          message: `Dropped a malformed message on the ${socket} socket: ${reason}.`,
        },
      ]),
    ),
  ]),
) as Record<SocketKind, Record<MalformedReason, { key: string; message: string }>>;
