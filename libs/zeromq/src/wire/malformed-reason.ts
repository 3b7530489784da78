/**
 * Why an incoming message was dropped before reaching a handler. Each reason is a counter label
 * (metrics, health), so the set is closed and small.
 */
export const MalformedReason = {
  FrameCount: 'frame_count',
  BadHeader: 'bad_header',
  UnsupportedVersion: 'unsupported_version',
  UnknownKind: 'unknown_kind',
  BadId: 'bad_id',
  BadPattern: 'bad_pattern',
  BadBody: 'bad_body',
} as const;
export type MalformedReason = (typeof MalformedReason)[keyof typeof MalformedReason];

export const MALFORMED_REASONS: readonly MalformedReason[] = Object.values(MalformedReason);

/** The message a sender reads in the error reply, when its correlation id could be read. */
export const MALFORMED_MESSAGES: Readonly<Record<MalformedReason, string>> = {
  frame_count:
    'Malformed message: wrong number of frames for its kind (see docs/wire-protocol.md).',
  bad_header: 'Malformed message: the header frame must be 2 bytes [version, kind].',
  unsupported_version: 'Unsupported wire protocol version: this server speaks version 1.',
  unknown_kind: 'Malformed message: unknown message kind in the header frame.',
  bad_id: 'Malformed message: the correlation id must be 1 to 64 bytes.',
  bad_pattern: 'Malformed message: the pattern must be non-empty UTF-8 within maxPatternBytes.',
  bad_body: 'Malformed message: the body could not be deserialized.',
};

/** The error reply for each reason: built once, as a flood of garbage must not allocate. */
export const MALFORMED_ERRORS: Readonly<Record<MalformedReason, object>> = Object.fromEntries(
  MALFORMED_REASONS.map((reason) => [
    reason,
    { status: 'error', code: 'MALFORMED', reason, message: MALFORMED_MESSAGES[reason] },
  ]),
) as Record<MalformedReason, object>;
