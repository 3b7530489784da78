import { BaseRpcContext } from '@nestjs/microservices';
import type { SocketKind } from '../zmq.constants.js';

type ZmqContextArgs = [pattern: string, socket: SocketKind, routingId: Buffer | undefined];

/** What `@Ctx()` gives a ZeroMQ handler: the pattern, the socket kind and the peer's routing id. */
export class ZmqContext extends BaseRpcContext<ZmqContextArgs> {
  getPattern(): string {
    return this.args[0];
  }

  /** 'router', 'pull' or 'sub'. */
  getSocket(): SocketKind {
    return this.args[1];
  }

  /** The ROUTER routing id of the sender (undefined on PULL and SUB, which have none). */
  getPeerId(): Buffer | undefined {
    return this.args[2];
  }

  /** The routing id as text: itself when printable ASCII (ids set by clients), else hex. */
  getPeer(): string | undefined {
    return peerToString(this.args[2]);
  }
}

export function peerToString(id: Buffer | undefined): string | undefined {
  if (id === undefined) return undefined;
  for (const byte of id) {
    if (byte < 0x20 || byte > 0x7e) return id.toString('hex');
  }
  return id.toString('latin1');
}
