/** What the attacker itself can observe: its sends and the replies that come back. */
export class Counters {
  /** Messages handed to ZeroMQ. */
  sent = 0;
  /** Sends that waited `sendTimeoutMs` at the HWM and gave up (the server pushed back). */
  blocked = 0;
  /** Terminal replies by outcome (requests only). */
  readonly replies = { ok: 0, rateLimited: 0, malformed: 0, error: 0 };
  /** Errors by code: failed sends and error replies other than RATE_LIMITED. */
  readonly errors: Record<string, number> = {};
  /** Malformed messages sent, by the reason the server should count. */
  readonly sentByReason: Record<string, number> = {};
  /** Malformed messages whose id the server can read: it owes an error reply for each. */
  repliesOwed = 0;
  socketsOpened = 0;
  connects = 0;
  disconnects = 0;
  /** Sockets (many-connections) whose first request got an answer. */
  answered = 0;
  /** performance.now() when the last send loop ended (the grace follows). */
  sendingEndedAt: number | undefined = undefined;

  get terminalReplies(): number {
    const r = this.replies;
    return r.ok + r.rateLimited + r.malformed + r.error;
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  sendFailed(error: unknown): void {
    const code = (error as { code?: string }).code ?? 'SEND_FAILED';
    if (code === 'EAGAIN') this.blocked++;
    else this.error(code);
  }
}

const REPLY_NEXT = 3;
const REPLY_COMPLETE = 4;
const REPLY_ERROR = 5;

/**
 * Classifies a reply as a DEALER receives it: `[header, id]` or `[header, id, body]`
 * (docs/wire-protocol.md). Only terminal replies (complete, error) count; `next` is a streamed
 * value with more to come. Returns the correlation id of a terminal reply, else undefined.
 */
export function countReply(counters: Counters, frames: Buffer[]): string | undefined {
  const header = frames[0];
  if (header?.length !== 2 || frames[1] === undefined) {
    counters.error('BAD_REPLY');
    return undefined;
  }
  const kind = header[1];
  if (kind === REPLY_NEXT) return undefined;
  if (kind === REPLY_COMPLETE) {
    counters.replies.ok++;
    return frames[1].toString('latin1');
  }
  if (kind !== REPLY_ERROR) {
    counters.error('BAD_REPLY');
    return undefined;
  }
  let code = 'ERROR';
  try {
    const body = JSON.parse(frames[2]?.toString('utf8') ?? '{}') as { code?: unknown };
    if (typeof body.code === 'string' || typeof body.code === 'number') code = String(body.code);
  } catch {
    // A body that is not JSON is still an error reply.
  }
  if (code === 'RATE_LIMITED') counters.replies.rateLimited++;
  else if (code === 'MALFORMED') counters.replies.malformed++;
  else {
    counters.replies.error++;
    counters.error(code);
  }
  return frames[1].toString('latin1');
}
