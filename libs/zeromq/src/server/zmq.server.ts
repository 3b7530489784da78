import { Logger } from '@nestjs/common';
import {
  type CustomTransportStrategy,
  type MessageHandler,
  Server,
} from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { throwError } from 'rxjs';
import { Pull, Router, type Socket, Subscriber } from 'zeromq';
import type { ZmqServerOptions } from '../interfaces/zmq-server-options.interface.js';
import type {
  ZmqDeserializer,
  ZmqSerializer,
} from '../interfaces/zmq-socket-options.interface.js';
import { JsonDeserializer, JsonSerializer } from '../json.codec.js';
import { validateServerOptions } from '../options/validate-options.js';
import {
  applySocketOptions,
  bindAll,
  connectAll,
  endpointsOf,
} from '../sockets/open-socket.js';
import { PeerMonitor } from '../sockets/peer-monitor.js';
import { SocketWriter } from '../sockets/socket-writer.js';
import { checkHeader, isValidId, isValidPattern } from '../wire/frame-check.js';
import {
  MALFORMED_MESSAGES,
  MalformedReason,
} from '../wire/malformed-reason.js';
import {
  DEFAULT_MAX_PATTERN_BYTES,
  HEADERS,
  MessageKind,
} from '../wire/wire.constants.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_PULL_OPTIONS,
  DEFAULT_ROUTER_OPTIONS,
  DEFAULT_SUB_OPTIONS,
  SocketKind,
  ZmqStatus,
} from '../zmq.constants.js';
import { QuietLogger } from './quiet-logger.js';
import { ServerEvents, type ZmqServerEventsMap } from './server-events.js';
import { ServerStats } from './server-stats.js';
import { ZmqContext } from './zmq.context.js';

const INTERNAL_ERROR = { status: 'error', message: 'Internal server error' };

/** A response packet as Nest's `Server.send` hands it to `respond`. */
interface ResponsePacket {
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/** The sockets behind a listening server, as `unwrap()` returns them. */
export interface ZmqServerSockets {
  router?: Router;
  pull?: Pull;
  sub?: Subscriber;
}

/**
 * Nest custom transport strategy over ZeroMQ: ROUTER for `@MessagePattern`, PULL and SUB for
 * `@EventPattern`. One reader loop and one writer per socket. The hot path of every message is
 * `onRouterMessage` / `onEventMessage` → `dispatchRequest` / `dispatchEvent`, in this file.
 */
export class ZmqServer
  extends Server<ZmqServerEventsMap, ZmqStatus>
  implements CustomTransportStrategy
{
  readonly stats = new ServerStats();
  protected override readonly logger = new Logger(ZmqServer.name);

  private readonly options: ZmqServerOptions;
  private readonly bodySerializer: ZmqSerializer;
  private readonly bodyDeserializer: ZmqDeserializer;
  private readonly maxPatternBytes: number;
  private readonly events = new ServerEvents();
  private readonly quietLog = new QuietLogger(this.logger);
  private sockets: ZmqServerSockets | undefined;
  private readonly monitors: PeerMonitor[] = [];
  private routerWriter: SocketWriter | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(options: ZmqServerOptions) {
    super();
    validateServerOptions(options);
    this.options = options;
    this.bodySerializer = options.serializer ?? new JsonSerializer();
    this.bodyDeserializer = options.deserializer ?? new JsonDeserializer();
    this.maxPatternBytes = options.maxPatternBytes ?? DEFAULT_MAX_PATTERN_BYTES;
  }

  /** Live connections per socket, from the socket monitors. */
  get connectedPeers(): Record<string, number> {
    const peers: Record<string, number> = {};
    for (const monitor of this.monitors)
      peers[monitor.name] = monitor.connected;
    return peers;
  }

  get isListening(): boolean {
    return this.sockets !== undefined && this.closing === undefined;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.sockets = await this.openSockets();
    } catch (error) {
      this.closeSockets();
      callback(error);
      return;
    }
    this._status$.next(ZmqStatus.Listening);
    callback();
  }

  async close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  on<K extends keyof ZmqServerEventsMap>(
    event: K,
    callback: ZmqServerEventsMap[K],
  ): void {
    this.events.on(String(event), callback);
  }

  unwrap<T = ZmqServerSockets>(): T {
    if (this.sockets === undefined) {
      throw new Error(
        'ZmqServer is not listening: call unwrap() after listen() (app.listen / startAllMicroservices).',
      );
    }
    return this.sockets as T;
  }

  /** Nest's lookup tries JSON.parse on every pattern; an exact match first skips that work. */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return (
      this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern)
    );
  }

  // ---------------------------------------------------------------------------------------------
  // The hot path: frame check → (admission) → parse → Nest pipeline → single writer.
  // Each `on*Message` returns how long the reader loop should wait before its next receive.
  // ---------------------------------------------------------------------------------------------

  private onRouterMessage(frames: Buffer[]): number {
    const stats = this.stats.sockets.router;
    stats.received++;
    const routingId = frames[0];
    const kind = checkHeader(frames, 1);
    if (typeof kind === 'string')
      return this.malformed(SocketKind.Router, kind, routingId, frames[2]);
    if (kind === MessageKind.Request) {
      const id = frames[2];
      if (frames.length !== 5)
        return this.malformed(
          SocketKind.Router,
          MalformedReason.FrameCount,
          routingId,
          id,
        );
      if (!isValidId(id))
        return this.malformed(
          SocketKind.Router,
          MalformedReason.BadId,
          routingId,
          undefined,
        );
      const pattern = frames[3];
      if (!isValidPattern(pattern, this.maxPatternBytes)) {
        return this.malformed(
          SocketKind.Router,
          MalformedReason.BadPattern,
          routingId,
          id,
        );
      }
      this.dispatchRequest(routingId, id, pattern.toString('utf8'), frames[4]);
      return 0;
    }
    // An event sent over a DEALER: [routingId, header, pattern, body].
    if (frames.length !== 4)
      return this.malformed(
        SocketKind.Router,
        MalformedReason.FrameCount,
        routingId,
        undefined,
      );
    if (!isValidPattern(frames[2], this.maxPatternBytes)) {
      return this.malformed(
        SocketKind.Router,
        MalformedReason.BadPattern,
        routingId,
        undefined,
      );
    }
    this.dispatchEvent(
      SocketKind.Router,
      frames[2].toString('utf8'),
      frames[3],
      routingId,
    );
    return 0;
  }

  /** PULL: [header, pattern, body]. SUB: [pattern, header, body] (ZeroMQ filters on the first frame). */
  private onEventMessage(
    socket: typeof SocketKind.Pull | typeof SocketKind.Sub,
    frames: Buffer[],
  ): number {
    this.stats.sockets[socket].received++;
    const headerAt = socket === SocketKind.Sub ? 1 : 0;
    const kind = checkHeader(frames, headerAt);
    if (typeof kind === 'string')
      return this.malformed(socket, kind, undefined, undefined);
    if (kind !== MessageKind.Event)
      return this.malformed(
        socket,
        MalformedReason.UnknownKind,
        undefined,
        undefined,
      );
    if (frames.length !== 3)
      return this.malformed(
        socket,
        MalformedReason.FrameCount,
        undefined,
        undefined,
      );
    const pattern = frames[socket === SocketKind.Sub ? 0 : 1];
    if (!isValidPattern(pattern, this.maxPatternBytes)) {
      return this.malformed(
        socket,
        MalformedReason.BadPattern,
        undefined,
        undefined,
      );
    }
    this.dispatchEvent(socket, pattern.toString('utf8'), frames[2], undefined);
    return 0;
  }

  private dispatchRequest(
    routingId: Buffer,
    id: Buffer,
    pattern: string,
    body: Buffer,
  ): void {
    const stats = this.stats.sockets.router;
    if (this.closing !== undefined) {
      this.replyError(routingId, id, {
        status: 'error',
        code: 'SHUTTING_DOWN',
        message: 'The server is shutting down; retry on another instance.',
      });
      return;
    }
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null || handler.isEventHandler) {
      stats.noHandler++;
      this.replyError(routingId, id, {
        status: 'error',
        err: NO_MESSAGE_HANDLER,
        message: NO_MESSAGE_HANDLER,
      });
      return;
    }
    let data: unknown;
    try {
      data = this.bodyDeserializer.deserialize(body);
    } catch {
      this.malformed(SocketKind.Router, MalformedReason.BadBody, routingId, id);
      return;
    }
    stats.handled++;
    this.stats.inFlight++;
    const context = new ZmqContext([pattern, SocketKind.Router, routingId]);
    let finished = false;
    const respond = (packet: ResponsePacket) => {
      if (finished) return;
      this.reply(routingId, id, packet);
      if (packet.err !== undefined || packet.isDisposed) {
        finished = true;
        this.requestSettled();
      }
    };
    // `produce` never rejects: whatever a handler throws becomes an error reply, not a lost request.
    const produce = async () => {
      try {
        return this.transformToObservable(await handler(data, context));
      } catch (error) {
        this.logger.error(error);
        return throwError(() => INTERNAL_ERROR);
      }
    };
    this.handleRequest(context, produce, respond);
  }

  private dispatchEvent(
    socket: SocketKind,
    pattern: string,
    body: Buffer,
    routingId: Buffer | undefined,
  ): void {
    const stats = this.stats.sockets[socket];
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null || !handler.isEventHandler) {
      stats.noHandler++;
      this.quietLog.warn(
        `no-event-handler:${socket}`,
        `No event handler for pattern ${JSON.stringify(pattern.slice(0, 100))} on the ${socket} socket; the event was dropped.`,
      );
      return;
    }
    let data: unknown;
    try {
      data = this.bodyDeserializer.deserialize(body);
    } catch {
      this.malformed(socket, MalformedReason.BadBody, undefined, undefined);
      return;
    }
    stats.handled++;
    this.stats.inFlight++;
    const context = new ZmqContext([pattern, socket, routingId]);
    this.handleEvent(pattern, { pattern, data }, context).then(
      () => this.requestSettled(),
      (error: unknown) => {
        this.requestSettled();
        this.logger.error(error);
      },
    );
  }

  private reply(routingId: Buffer, id: Buffer, packet: ResponsePacket): void {
    if (packet.err !== undefined)
      return this.replyError(routingId, id, packet.err);
    let frames: Array<Buffer | string>;
    try {
      if (packet.isDisposed) {
        frames =
          packet.response === undefined
            ? [routingId, HEADERS[MessageKind.Complete], id]
            : [
                routingId,
                HEADERS[MessageKind.Complete],
                id,
                this.bodySerializer.serialize(packet.response),
              ];
      } else {
        frames = [
          routingId,
          HEADERS[MessageKind.Next],
          id,
          this.bodySerializer.serialize(packet.response),
        ];
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.replyError(routingId, id, {
        status: 'error',
        message: `The response could not be serialized: ${reason}`,
      });
    }
    this.routerWriter?.write(frames);
  }

  private replyError(routingId: Buffer, id: Buffer, err: unknown): void {
    let body: Buffer | string;
    try {
      body = this.bodySerializer.serialize(err);
    } catch {
      body = JSON.stringify({
        status: 'error',
        message: 'The error could not be serialized.',
      });
    }
    this.routerWriter?.write([routingId, HEADERS[MessageKind.Error], id, body]);
  }

  /** Counts and drops a malformed message; replies with an error when its id is readable. */
  private malformed(
    socket: SocketKind,
    reason: MalformedReason,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number {
    this.stats.sockets[socket].malformed[reason]++;
    this.events.emit('malformed', { socket, reason });
    this.quietLog.warn(
      `malformed:${socket}:${reason}`,
      `Dropped a malformed message on the ${socket} socket: ${reason}.`,
    );
    if (routingId !== undefined && isValidId(id)) {
      this.replyError(routingId, id, {
        status: 'error',
        code: 'MALFORMED',
        reason,
        message: MALFORMED_MESSAGES[reason],
      });
    }
    return 0;
  }

  private requestSettled(): void {
    this.stats.inFlight--;
    if (this.stats.inFlight === 0) this.drained?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Sockets: open, read, close.
  // ---------------------------------------------------------------------------------------------

  private async openSockets(): Promise<ZmqServerSockets> {
    const { router, pull, sub } = this.options;
    const sockets: ZmqServerSockets = {};
    this.sockets = sockets;
    if (router) {
      const socket = new Router({ mandatory: true });
      sockets.router = socket;
      applySocketOptions(socket, DEFAULT_ROUTER_OPTIONS, router);
      this.watch(socket, SocketKind.Router);
      await bindAll(socket, endpointsOf(router.bind), 'router');
      this.routerWriter = new SocketWriter(socket, (error) =>
        this.onReplyFailed(error),
      );
    }
    if (pull) {
      const socket = new Pull();
      sockets.pull = socket;
      applySocketOptions(socket, DEFAULT_PULL_OPTIONS, pull);
      this.watch(socket, SocketKind.Pull);
      await bindAll(socket, endpointsOf(pull.bind), 'pull');
    }
    if (sub) {
      const socket = new Subscriber();
      sockets.sub = socket;
      applySocketOptions(socket, DEFAULT_SUB_OPTIONS, sub);
      this.watch(socket, SocketKind.Sub);
      if (sub.topics === undefined) socket.subscribe();
      else socket.subscribe(...sub.topics);
      connectAll(socket, endpointsOf(sub.connect));
    }
    // Readers start only once every socket is open, so a failed bind leaves nothing running.
    if (sockets.router)
      void this.readLoop(sockets.router, (frames) =>
        this.onRouterMessage(frames),
      );
    if (sockets.pull)
      void this.readLoop(sockets.pull, (frames) =>
        this.onEventMessage(SocketKind.Pull, frames),
      );
    if (sockets.sub)
      void this.readLoop(sockets.sub, (frames) =>
        this.onEventMessage(SocketKind.Sub, frames),
      );
    return sockets;
  }

  private watch(socket: Socket, name: SocketKind): void {
    this.monitors.push(
      new PeerMonitor(socket, name, (event, payload) =>
        this.events.emit(event, payload),
      ),
    );
  }

  /** The one reader of a socket. Nothing thrown by a message escapes; a pause is a plain wait. */
  private async readLoop(
    socket: Socket & { receive(): Promise<Buffer[]> },
    onMessage: (frames: Buffer[]) => number,
  ): Promise<void> {
    while (!socket.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (socket.closed) return;
        this.events.emit('error', error);
        this.quietLog.warn(
          'receive-failed',
          `Receive failed: ${String(error)}`,
        );
        continue;
      }
      let waitMs = 0;
      try {
        waitMs = onMessage(frames);
      } catch (error) {
        this.logger.error(error);
      }
      if (waitMs > 0) await sleep(waitMs);
    }
  }

  private onReplyFailed(error: unknown): void {
    this.stats.sockets.router.repliesDropped++;
    const code = (error as { code?: string }).code ?? 'unknown';
    this.quietLog.warn(
      `reply-failed:${code}`,
      `A reply could not be delivered (${code}): the peer is gone or not reading its replies.`,
    );
  }

  private async shutDown(): Promise<void> {
    this._status$.next(ZmqStatus.Closing);
    const drainTimeout = this.options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS;
    if (this.stats.inFlight > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      await Promise.race([
        drained,
        sleep(drainTimeout, undefined, { ref: false }),
      ]);
    }
    if (this.routerWriter)
      await Promise.race([
        this.routerWriter.flushed(),
        sleep(drainTimeout, undefined, { ref: false }),
      ]);
    this.closeSockets();
    this._status$.next(ZmqStatus.Closed);
  }

  private closeSockets(): void {
    const sockets = this.sockets ?? {};
    for (const socket of [sockets.router, sockets.pull, sockets.sub]) {
      if (socket && !socket.closed) socket.close();
    }
  }
}
