/** Why a request failed on the client side, before or instead of a reply. */
export type ZmqRequestErrorCode =
  | 'TIMEOUT'
  | 'CONNECTION_LOST'
  | 'AUTH_REFUSED'
  | 'CLIENT_CLOSED'
  | 'SEND_FAILED'
  | 'NO_SOCKET'
  | 'BAD_REPLY';

/** The error a `send()` or `emit()` observable fails with when no reply (or no send) happened. */
export class ZmqRequestError extends Error {
  override readonly name = 'ZmqRequestError';

  constructor(
    readonly code: ZmqRequestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why ZeroMQ did not take a message, in words a caller can act on. */
export function describeSendError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'EAGAIN') {
    return 'the send queue stayed full until sendTimeout (the server is not reading)';
  }
  return error instanceof Error ? error.message : String(error);
}
