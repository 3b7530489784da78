import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { type ZmqClient, ZmqRequestError } from '@sluice/zeromq';
import { firstValueFrom, timeout as within, TimeoutError } from 'rxjs';

export interface ZmqPingOptions {
  /** Pattern to send; any pattern works, even one with no handler (its error reply proves life). */
  pattern?: string;
  /** Payload of the probe (Nest refuses null or undefined); default `{}`. */
  data?: unknown;
  /** Time allowed for the round trip, in ms. Default 1 000. */
  timeout?: number;
}

export const DEFAULT_PING_PATTERN = 'sluice.health.ping';
export const DEFAULT_PING_TIMEOUT_MS = 1_000;

/**
 * Proves a ZeroMQ server answers, with a real request and reply.
 *
 * Terminus's `MicroserviceHealthIndicator.pingCheck` only runs `connect()` then `close()`: a
 * ZeroMQ connect returns at once, before (and whether or not) any peer exists, so that check
 * passes with the server stopped. Here a request travels to the server's ROUTER and back.
 *
 * Any reply means up, whatever it says: a value, an RpcException, RATE_LIMITED (the server is
 * alive and protecting itself), 'no matching message handler', even MALFORMED. Only the absence
 * of an answer means down: the timeout, a lost connection, a send that failed or a closed
 * client (`ZmqRequestError`, raised on the client side; BAD_REPLY, an answer this client cannot
 * decode, still counts as an answer). With `retryOnRateLimit` on the client, a RATE_LIMITED reply
 * is retried inside the timeout: give the probe its own client, or a pattern with no limit.
 */
@Injectable()
export class ZmqClientHealthIndicator {
  constructor(private readonly his: HealthIndicatorService) {}

  async pingCheck<const Key extends string>(
    key: Key,
    client: ZmqClient,
    options: ZmqPingOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.his.check(key);
    const timeoutMs = options.timeout ?? DEFAULT_PING_TIMEOUT_MS;
    const pattern = options.pattern ?? DEFAULT_PING_PATTERN;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await firstValueFrom(client.send(pattern, options.data ?? {}).pipe(within(timeoutMs)), {
        defaultValue: undefined,
      });
      return session.up({ pattern, reply: 'value', responseTimeMs: elapsed() });
    } catch (error) {
      if (error instanceof TimeoutError) {
        return session.down({
          pattern,
          message: `no reply within ${timeoutMs} ms`,
          responseTimeMs: elapsed(),
        });
      }
      if (!isAnswer(error)) {
        const code = (error as { code?: unknown }).code;
        return session.down({
          pattern,
          ...(typeof code === 'string' && { code }),
          message: (error as Error).message,
          responseTimeMs: elapsed(),
        });
      }
      return session.up({ pattern, reply: describeError(error), responseTimeMs: elapsed() });
    }
  }
}

/**
 * Whether a failed send carried the server's answer. Error replies arrive as the plain objects
 * the server serialized (RpcException errors, RATE_LIMITED, 'no matching handler'); whatever
 * the client raises itself is an `Error`: ZmqRequestError (TIMEOUT, CONNECTION_LOST,
 * SEND_FAILED, NO_SOCKET, CLIENT_CLOSED), or Nest's InvalidMessageException. The exception:
 * BAD_REPLY, an answer this client could not decode, which still proves the server answers.
 */
function isAnswer(error: unknown): boolean {
  if (error instanceof ZmqRequestError) return error.code === 'BAD_REPLY';
  return !(error instanceof Error);
}

/** A short, bounded description of the server's error reply. */
function describeError(error: unknown): string {
  // BAD_REPLY: the server answered in a form this client cannot decode; it is answering all the same.
  if (error instanceof ZmqRequestError) return `unreadable reply (${error.code})`;
  const e = error as { code?: unknown; message?: unknown } | null;
  const text =
    typeof e?.code === 'string' ? e.code : typeof e?.message === 'string' ? e.message : 'error';
  return `error: ${text.slice(0, 100)}`;
}
