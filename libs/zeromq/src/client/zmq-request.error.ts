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
