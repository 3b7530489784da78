import type { ZmqSerializer } from '../interfaces/zmq-socket-options.interface.js';
import type { SocketWriter } from '../sockets/socket-writer.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';
import { BATCHABLE } from './reply-batch.js';

/** A response packet as Nest's `Server.send` hands it to `respond`. */
export interface ResponsePacket {
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const UNSERIALIZABLE_ERROR = JSON.stringify({
  status: 'error',
  message: 'The error could not be serialized.',
});

/**
 * Encodes replies as wire frames (docs/wire-protocol.md) for the ROUTER's single writer. A value
 * that cannot be serialized becomes an error reply: the request is answered either way.
 */
export class ReplyWriter {
  constructor(
    private readonly writer: SocketWriter,
    private readonly serializer: ZmqSerializer,
  ) {}

  /** `batchable`: the request came in a batch, so the reply may join a reply batch. */
  reply(routingId: Buffer, id: Buffer, packet: ResponsePacket, batchable = false): void {
    if (packet.err !== undefined) return this.error(routingId, id, packet.err, batchable);
    let frames: Array<Buffer | string>;
    try {
      if (!packet.isDisposed) {
        const next = batchable ? BATCHABLE.next : HEADERS[MessageKind.Next];
        frames = [routingId, next, id, this.serializer.serialize(packet.response)];
      } else {
        const complete = batchable ? BATCHABLE.complete : HEADERS[MessageKind.Complete];
        frames =
          packet.response === undefined
            ? [routingId, complete, id]
            : [routingId, complete, id, this.serializer.serialize(packet.response)];
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `The response could not be serialized: ${reason}`;
      return this.error(routingId, id, { status: 'error', message }, batchable);
    }
    this.writer.write(frames);
  }

  error(routingId: Buffer, id: Buffer, err: unknown, batchable = false): void {
    let body: Buffer | string;
    try {
      body = this.serializer.serialize(err);
    } catch {
      body = UNSERIALIZABLE_ERROR;
    }
    const header = batchable ? BATCHABLE.error : HEADERS[MessageKind.Error];
    this.writer.write([routingId, header, id, body]);
  }

  flushed(): Promise<void> {
    return this.writer.flushed();
  }
}
