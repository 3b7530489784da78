import type { Logger } from '@nestjs/common';
import type { Dealer } from 'zeromq';
import type { ZmqDeserializer } from '../interfaces/zmq-socket-options.interface.js';
import { MessageKind, WIRE_VERSION } from '../wire/wire.constants.js';
import type { PendingRequests } from './pending-requests.js';
import { ZmqRequestError } from './zmq-request.error.js';

/**
 * The one reader of a client's DEALER: replies [header, id] or [header, id, body], and reply
 * batches (see docs/wire-protocol.md), go to their pending requests; anything else is counted
 * and ignored.
 */
export class ReplyReader {
  /** Replies that matched no pending request (late, after a timeout, or foreign). */
  unmatched = 0;

  constructor(
    private readonly pending: PendingRequests,
    private readonly deserializer: ZmqDeserializer,
  ) {}

  async read(socket: Dealer, logger: Logger): Promise<void> {
    while (!socket.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (socket.closed) return;
        logger.warn(`Receive failed: ${String(error)}`);
        continue;
      }
      this.onReply(frames);
    }
  }

  onReply(frames: Buffer[]): void {
    const header = frames[0];
    if (header?.length !== 2 || header[0] !== WIRE_VERSION) {
      this.unmatched++;
      return;
    }
    if (header[1] !== MessageKind.ReplyBatch) {
      if (frames.length < 2 || frames.length > 3) this.unmatched++;
      else this.settle(header[1], frames[1], frames[2]);
      return;
    }
    // [batch header, (item header, id, body)…]: replies to a batch of requests.
    if (frames.length < 4 || (frames.length - 1) % 3 !== 0) {
      this.unmatched++;
      return;
    }
    for (let at = 1; at < frames.length; at += 3) {
      const item = frames[at];
      if (item.length !== 2 || item[0] !== WIRE_VERSION) this.unmatched++;
      else if (item[1] === MessageKind.Done)
        this.settle(MessageKind.Complete, frames[at + 1], undefined);
      else this.settle(item[1], frames[at + 1], frames[at + 2]);
    }
  }

  /** One reply to its pending request: a value, the end (with a last value or none), an error. */
  private settle(kind: number, id: Buffer, body: Buffer | undefined): void {
    const key = id.toString('latin1');
    const callback = this.pending.get(key);
    if (callback === undefined) {
      this.unmatched++;
      return;
    }
    let value: unknown;
    try {
      value = body === undefined ? undefined : this.deserializer.deserialize(body);
    } catch (error) {
      const message = `The reply could not be deserialized: ${String(error)}`;
      this.pending.fail(key, new ZmqRequestError('BAD_REPLY', message, { cause: error }));
      return;
    }
    if (kind === MessageKind.Next) {
      callback({ response: value });
    } else if (kind === MessageKind.Complete) {
      this.pending.delete(key);
      callback(value === undefined ? { isDisposed: true } : { response: value, isDisposed: true });
    } else if (kind === MessageKind.Error) {
      this.pending.delete(key);
      callback({ err: value, isDisposed: true });
    } else {
      const message = `The reply has an unknown kind ${kind}.`;
      this.pending.fail(key, new ZmqRequestError('BAD_REPLY', message));
    }
  }
}
