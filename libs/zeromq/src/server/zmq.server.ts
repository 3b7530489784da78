import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { RateLimitLog, type RateLimitRegistry } from '@sluice/rate-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { throwError } from 'rxjs';
import type { Pull, Router, Subscriber } from 'zeromq';
import type { ZmqServerOptions } from '../interfaces/zmq-server-options.interface.js';
import type { ZmqDeserializer } from '../interfaces/zmq-socket-options.interface.js';
import { JsonDeserializer, JsonSerializer } from '../json.codec.js';
import { validateServerOptions } from '../options/validate-options.js';
import type { CurveAuthStats } from '../security/server-security.js';
import { checkHeader, isValidId, isValidPattern } from '../wire/frame-check.js';
import { MALFORMED_ERRORS, MalformedReason } from '../wire/malformed-reason.js';
import { DEFAULT_MAX_PATTERN_BYTES, MessageKind } from '../wire/wire.constants.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, SocketKind, ZmqStatus } from '../zmq.constants.js';
import { type AdmissionGates, buildAdmissionGates } from './admission-gates.js';
import { ADMITTED, Admission } from './admission.js';
import { QuietLogger } from './quiet-logger.js';
import type { OnMessage } from './read-loop.js';
import { BATCHED_REQUEST, startReading } from './socket-reading.js';
import { ReplyWriter, type ResponsePacket } from './reply-writer.js';
import { TransportEvents } from '../sockets/transport-events.js';
import type { ZmqServerEventsMap } from './server-events.js';
import { openServerSockets, type ServerSockets } from './server-sockets.js';
import {
  INTERNAL_ERROR,
  MALFORMED_NOTES,
  NO_EVENT_HANDLER_KEYS,
  NO_HANDLER,
  SHUTTING_DOWN,
} from './server-messages.js';
import { ServerStats } from './server-stats.js';
import { ZmqContext } from './zmq.context.js';

/** The sockets behind a listening server, as `unwrap()` returns them. */
export interface ZmqServerSockets {
  router?: Router;
  pull?: Pull;
  sub?: Subscriber;
}

/**
 * Nest custom transport strategy over ZeroMQ: ROUTER for `@MessagePattern`, PULL and SUB for
 * `@EventPattern`. One reader loop and one writer per socket.
 *
 * The hot path of every message is in this file, top to bottom: `onRouterMessage` /
 * `onEventMessage` (frame check) → `admit` (rate limits, before the body is parsed) →
 * `dispatchRequest` / `dispatchEvent` (parse, Nest pipeline) → `ReplyWriter` (single writer).
 */
export class ZmqServer
  extends Server<ZmqServerEventsMap, ZmqStatus>
  implements CustomTransportStrategy
{
  readonly stats = new ServerStats();
  protected override readonly logger = new Logger(ZmqServer.name);

  private readonly options: ZmqServerOptions;
  private readonly bodyDeserializer: ZmqDeserializer;
  private readonly maxPatternBytes: number;
  private readonly events = new TransportEvents();
  private readonly quietLog = new QuietLogger(this.logger);
  private readonly rateLimitLog = new RateLimitLog(new Logger('RateLimit'));
  private readonly admission = new Admission(
    this.stats,
    this.events,
    this.rateLimitLog,
    () => this.replies,
  );
  private rateLimits: RateLimitRegistry | undefined;
  private gates: AdmissionGates = {};
  private sockets: ServerSockets | undefined;
  private replies: ReplyWriter | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ZmqServerOptions) {
    super();
    validateServerOptions(options);
    this.options = options;
    this.rateLimits = options.rateLimits;
    this.bodyDeserializer = options.deserializer ?? new JsonDeserializer();
    this.maxPatternBytes = options.maxPatternBytes ?? DEFAULT_MAX_PATTERN_BYTES;
  }

  /** Live connections per socket, from the socket monitors. */
  get connectedPeers(): Partial<Record<SocketKind, number>> {
    return this.sockets?.connectedPeers() ?? {};
  }

  get isListening(): boolean {
    return this.sockets !== undefined && this.closing === undefined;
  }

  /** CURVE handshakes allowed and refused by the ZAP policy (undefined without CURVE). */
  get authStats(): CurveAuthStats | undefined {
    return this.sockets?.security?.stats;
  }

  /** The sockets this server opened ('router', 'pull', 'sub'). */
  get socketKinds(): SocketKind[] {
    const { router, pull, sub } = this.sockets?.sockets ?? {};
    return [router && SocketKind.Router, pull && SocketKind.Pull, sub && SocketKind.Sub].filter(
      (kind): kind is SocketKind => kind !== undefined,
    );
  }

  /** The admission gates in force, per socket (none where a socket has no rule). */
  get admissionGates(): AdmissionGates {
    return this.gates;
  }

  /**
   * Called by `RateLimitModule` for every microservice in the app (through Nest's RPC target
   * registry), so module limits reach the transport without globals. The `rateLimits` option,
   * when given, wins.
   */
  useRateLimits(registry: RateLimitRegistry): void {
    this.rateLimits ??= registry;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const kinds = (['router', 'pull', 'sub'] as const).filter(
        (kind) => this.options[kind] !== undefined,
      );
      if (this.rateLimits) {
        this.gates = buildAdmissionGates(this.rateLimits, kinds, this.messageHandlers);
        this.rateLimits.warnUnprotected();
      } else {
        this.logger.warn(
          `No rate limits (RateLimitModule is not imported): the ${kinds.join(', ')} socket(s) accept whatever arrives.`,
        );
      }
      this.sockets = await openServerSockets(this.options, (event, payload) =>
        this.events.emit(event, payload),
      );
    } catch (error) {
      callback(error);
      return;
    }
    const { router, pull, sub } = this.sockets.sockets;
    if (router) {
      this.replies = new ReplyWriter(
        this.sockets.routerWriter!,
        this.options.serializer ?? new JsonSerializer(),
      );
      this.sockets.onReplyFailed((error, replies) => this.onReplyFailed(error, replies));
      this.startReading(router, SocketKind.Router, (frames) => this.onRouterMessage(frames));
    }
    if (pull)
      this.startReading(pull, SocketKind.Pull, (frames) =>
        this.onEventMessage(SocketKind.Pull, frames),
      );
    if (sub)
      this.startReading(sub, SocketKind.Sub, (frames) =>
        this.onEventMessage(SocketKind.Sub, frames),
      );
    this._status$.next(ZmqStatus.Listening);
    callback();
  }

  async close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  on<K extends keyof ZmqServerEventsMap>(event: K, callback: ZmqServerEventsMap[K]): void {
    this.events.on(String(event), callback);
  }

  unwrap<T = ZmqServerSockets>(): T {
    if (this.sockets === undefined) {
      throw new Error(
        'ZmqServer is not listening: call unwrap() after listen() (app.listen / startAllMicroservices).',
      );
    }
    return this.sockets.sockets as T;
  }

  /** Nest's lookup tries JSON.parse on every pattern; an exact match first skips that work. */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  // ---------------------------------------------------------------------------------------------
  // The hot path. Each `on*Message` returns how long the reader loop must pause before it offers
  // the same message again (0: done with it), or a promise of that when admission is async.
  // ---------------------------------------------------------------------------------------------

  /** ROUTER: [routingId, header, id, pattern, body] for requests, [routingId, header, pattern, body] for events. */
  private onRouterMessage(frames: Buffer[]): number | Promise<number> {
    const routingId = frames[0];
    const kind = checkHeader(frames, 1);
    // A header that is not two bytes says nothing about the frames after it: no reply. A known
    // layout with a bad version or kind still has its id where a sender expects it.
    if (typeof kind === 'string') {
      const id = kind === MalformedReason.BadHeader ? undefined : frames[2];
      return this.malformed(SocketKind.Router, kind, routingId, id);
    }
    // A batch reaches here only when its frames do not divide into requests (see splitBatch).
    if (kind === MessageKind.Batch) {
      return this.malformed(SocketKind.Router, MalformedReason.FrameCount, routingId, undefined);
    }
    if (kind === MessageKind.EventBatch) {
      return this.malformed(SocketKind.Router, MalformedReason.UnknownKind, routingId, frames[2]);
    }
    const isRequest = kind === MessageKind.Request;
    const id = isRequest ? frames[2] : undefined;
    if (frames.length !== (isRequest ? 5 : 4))
      return this.malformed(SocketKind.Router, MalformedReason.FrameCount, routingId, id);
    if (isRequest && !isValidId(id))
      return this.malformed(SocketKind.Router, MalformedReason.BadId, routingId, undefined);
    const patternFrame = frames[isRequest ? 3 : 2];
    if (!isValidPattern(patternFrame, this.maxPatternBytes)) {
      return this.malformed(SocketKind.Router, MalformedReason.BadPattern, routingId, id);
    }
    const pattern = patternFrame.toString('utf8');
    const batched = frames[1] === BATCHED_REQUEST;
    return this.admitThenDispatch(
      SocketKind.Router,
      pattern,
      frames[isRequest ? 4 : 3],
      routingId,
      id,
      batched,
    );
  }

  /** PULL: [header, pattern, body]. SUB: [pattern, header, body] (ZeroMQ filters on the first frame). */
  private onEventMessage(
    socket: typeof SocketKind.Pull | typeof SocketKind.Sub,
    frames: Buffer[],
  ): number | Promise<number> {
    const isSub = socket === SocketKind.Sub;
    const kind = checkHeader(frames, isSub ? 1 : 0);
    if (typeof kind === 'string') return this.malformed(socket, kind, undefined, undefined);
    // An event batch reaches here only when its frames do not divide into events.
    if (kind === MessageKind.EventBatch && !isSub) {
      return this.malformed(socket, MalformedReason.FrameCount, undefined, undefined);
    }
    if (kind !== MessageKind.Event)
      return this.malformed(socket, MalformedReason.UnknownKind, undefined, undefined);
    if (frames.length !== 3)
      return this.malformed(socket, MalformedReason.FrameCount, undefined, undefined);
    const patternFrame = frames[isSub ? 0 : 1];
    if (!isValidPattern(patternFrame, this.maxPatternBytes)) {
      return this.malformed(socket, MalformedReason.BadPattern, undefined, undefined);
    }
    return this.admitThenDispatch(
      socket,
      patternFrame.toString('utf8'),
      frames[2],
      undefined,
      undefined,
    );
  }

  /** Rate limits first (admission.ts), then the handler; returns the reader's pause in ms. */
  private admitThenDispatch(
    socket: SocketKind,
    pattern: string,
    body: Buffer,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
    batched = false,
  ): number | Promise<number> {
    const gate = this.gates[socket];
    if (gate === undefined) return this.dispatch(socket, pattern, body, routingId, id, batched);
    const outcome = this.admission.check(socket, gate, pattern, routingId, id);
    if (outcome === ADMITTED) return this.dispatch(socket, pattern, body, routingId, id, batched);
    if (typeof outcome === 'number') return outcome;
    return outcome.then((o) =>
      o === ADMITTED ? this.dispatch(socket, pattern, body, routingId, id, batched) : o,
    );
  }

  private dispatch(
    socket: SocketKind,
    pattern: string,
    body: Buffer,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
    batched: boolean,
  ): number {
    if (id !== undefined) this.dispatchRequest(routingId!, id, pattern, body, batched);
    else this.dispatchEvent(socket, pattern, body, routingId);
    return 0;
  }

  /** `batched`: the request came in a batch, so its replies may go back in reply batches. */
  private dispatchRequest(
    routingId: Buffer,
    id: Buffer,
    pattern: string,
    body: Buffer,
    batched: boolean,
  ): void {
    const stats = this.stats.sockets.router;
    const replies = this.replies!;
    if (this.closing !== undefined) return replies.error(routingId, id, SHUTTING_DOWN);
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null || handler.isEventHandler) {
      stats.noHandler++;
      return replies.error(routingId, id, NO_HANDLER);
    }
    let data: unknown;
    try {
      data = this.bodyDeserializer.deserialize(body);
    } catch {
      this.malformed(SocketKind.Router, MalformedReason.BadBody, routingId, id);
      return;
    }
    stats.handled++;
    this.stats.pending.start();
    const context = new ZmqContext([pattern, SocketKind.Router, routingId]);
    let finished = false;
    const respond = (packet: ResponsePacket) => {
      if (finished) return;
      replies.reply(routingId, id, packet, batched);
      if (packet.err !== undefined || packet.isDisposed) {
        finished = true;
        this.stats.pending.settle();
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
        NO_EVENT_HANDLER_KEYS[socket],
        () =>
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
    this.stats.pending.start();
    const context = new ZmqContext([pattern, socket, routingId]);
    this.handleEvent(pattern, { pattern, data }, context).then(
      () => this.stats.pending.settle(),
      (error: unknown) => {
        this.stats.pending.settle();
        this.logger.error(error);
      },
    );
  }

  /** Counts and drops a malformed message; replies with an error when its id is readable. */
  private malformed(
    socket: SocketKind,
    reason: MalformedReason,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number {
    this.stats.sockets[socket].malformed[reason]++;
    if (this.events.has('malformed')) this.events.emit('malformed', { socket, reason });
    const note = MALFORMED_NOTES[socket][reason];
    this.quietLog.warn(note.key, note.message);
    if (routingId !== undefined && isValidId(id)) {
      this.replies!.error(routingId, id, MALFORMED_ERRORS[reason]);
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and closing.
  // ---------------------------------------------------------------------------------------------

  private startReading(
    socket: { readonly closed: boolean; receive(): Promise<Buffer[]> },
    kind: SocketKind,
    onMessage: OnMessage,
  ): void {
    startReading(socket, kind, this.stats.sockets[kind], this.gates[kind], onMessage, {
      onReceiveError: (error) => {
        this.events.emit('error', error);
        const message = `Receive failed on the ${kind} socket: ${String(error)}`;
        this.quietLog.warn(`receive-failed:${kind}`, message);
      },
      onBug: (error) => this.logger.error(error),
    });
  }

  private onReplyFailed(error: unknown, replies: number): void {
    this.stats.sockets.router.repliesDropped += replies;
    const code = (error as { code?: string }).code ?? 'unknown';
    this.quietLog.warn(
      `reply-failed:${code}`,
      `A reply could not be delivered (${code}): the peer is gone or not reading its replies.`,
    );
  }

  private async shutDown(): Promise<void> {
    this._status$.next(ZmqStatus.Closing);
    const drainTimeout = this.options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const started = performance.now();
    await this.stats.pending.idle(drainTimeout);
    const left = Math.max(0, drainTimeout - (performance.now() - started));
    if (this.replies)
      await Promise.race([this.replies.flushed(), sleep(left, undefined, { ref: false })]);
    this.sockets?.close();
    this.rateLimitLog.close();
    for (const gate of Object.values(this.gates)) this.rateLimits?.unregister(gate);
    this._status$.next(ZmqStatus.Closed);
  }
}
