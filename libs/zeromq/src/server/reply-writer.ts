import type { ZmqSerializer } from '../interfaces/zmq-socket-options.interface.js';
import type { SocketWriter } from '../sockets/socket-writer.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';

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

  reply(routingId: Buffer, id: Buffer, packet: ResponsePacket): void {
    if (packet.err !== undefined) return this.error(routingId, id, packet.err);
    let frames: Array<Buffer | string>;
    try {
      if (!packet.isDisposed) {
        frames = [
          routingId,
          HEADERS[MessageKind.Next],
          id,
          this.serializer.serialize(packet.response),
        ];
      } else if (packet.response === undefined) {
        frames = [routingId, HEADERS[MessageKind.Complete], id];
      } else {
        frames = [
          routingId,
          HEADERS[MessageKind.Complete],
          id,
          this.serializer.serialize(packet.response),
        ];
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.error(routingId, id, {
        status: 'error',
        message: `The response could not be serialized: ${reason}`,
      });
    }
    this.writer.write(frames);
  }

  error(routingId: Buffer, id: Buffer, err: unknown): void {
    let body: Buffer | string;
    try {
      body = this.serializer.serialize(err);
    } catch {
      body = UNSERIALIZABLE_ERROR;
    }
    this.writer.write([routingId, HEADERS[MessageKind.Error], id, body]);
  }

  flushed(): Promise<void> {
    return this.writer.flushed();
  }
}
