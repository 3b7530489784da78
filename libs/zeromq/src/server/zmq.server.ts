import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants.js';
import {
  type AdmissionGate,
  RateLimitedException,
  type RateLimitRegistry,
  Verdict,
} from '@sluice/rate-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { throwError } from 'rxjs';
import type { Pull, Router, Subscriber } from 'zeromq';
import type { ZmqServerOptions } from '../interfaces/zmq-server-options.interface.js';
import type { ZmqDeserializer } from '../interfaces/zmq-socket-options.interface.js';
import { JsonDeserializer, JsonSerializer } from '../json.codec.js';
import { validateServerOptions } from '../options/validate-options.js';
import { checkHeader, isValidId, isValidPattern } from '../wire/frame-check.js';
import { MALFORMED_MESSAGES, MalformedReason } from '../wire/malformed-reason.js';
import { DEFAULT_MAX_PATTERN_BYTES, MessageKind } from '../wire/wire.constants.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, SocketKind, ZmqStatus } from '../zmq.constants.js';
import { type AdmissionGates, buildAdmissionGates } from './admission-gates.js';
import { QuietLogger } from './quiet-logger.js';
import { ReplyWriter, type ResponsePacket } from './reply-writer.js';
import { ServerEvents, type ZmqServerEventsMap } from './server-events.js';
import { openServerSockets, type ServerSockets } from './server-sockets.js';
import { ServerStats } from './server-stats.js';
import { peerToString, ZmqContext } from './zmq.context.js';

const INTERNAL_ERROR = { status: 'error', message: 'Internal server error' };
const SHUTTING_DOWN = {
  status: 'error',
  code: 'SHUTTING_DOWN',
  message: 'The server is shutting down; retry on another instance.',
};
const NO_HANDLER = { status: 'error', message: NO_MESSAGE_HANDLER };
/** Upper bound of one pause, whatever the limiter computes: the loop re-checks after it. */
const MAX_PAUSE_MS = 1_000;

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
  private readonly events = new ServerEvents();
  private readonly quietLog = new QuietLogger(this.logger);
  private rateLimits: RateLimitRegistry | undefined;
  private gates: AdmissionGates = {};
  private sockets: ServerSockets | undefined;
  private replies: ReplyWriter | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

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
      this.sockets.onReplyFailed((error) => this.onReplyFailed(error));
      void this.readLoop(router, SocketKind.Router, (frames) => this.onRouterMessage(frames));
    }
    if (pull)
      void this.readLoop(pull, SocketKind.Pull, (frames) =>
        this.onEventMessage(SocketKind.Pull, frames),
      );
    if (sub)
      void this.readLoop(sub, SocketKind.Sub, (frames) =>
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
    if (typeof kind === 'string')
      return this.malformed(SocketKind.Router, kind, routingId, frames[2]);
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
    const body = frames[isRequest ? 4 : 3];
    const gate = this.gates.router;
    if (gate === undefined) return this.dispatch(SocketKind.Router, pattern, body, routingId, id);
    const verdict = gate.admit(
      pattern,
      gate.hasPeerRules ? peerToString(routingId) : undefined,
      performance.now(),
    );
    if (typeof verdict === 'number')
      return this.admitted(SocketKind.Router, gate, verdict, pattern, body, routingId, id);
    return verdict.then((v) =>
      this.admitted(SocketKind.Router, gate, v, pattern, body, routingId, id),
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
    if (kind !== MessageKind.Event)
      return this.malformed(socket, MalformedReason.UnknownKind, undefined, undefined);
    if (frames.length !== 3)
      return this.malformed(socket, MalformedReason.FrameCount, undefined, undefined);
    const patternFrame = frames[isSub ? 0 : 1];
    if (!isValidPattern(patternFrame, this.maxPatternBytes)) {
      return this.malformed(socket, MalformedReason.BadPattern, undefined, undefined);
    }
    const pattern = patternFrame.toString('utf8');
    const gate = this.gates[socket];
    if (gate === undefined) return this.dispatch(socket, pattern, frames[2], undefined, undefined);
    const verdict = gate.admit(pattern, undefined, performance.now());
    if (typeof verdict === 'number')
      return this.admitted(socket, gate, verdict, pattern, frames[2], undefined, undefined);
    return verdict.then((v) =>
      this.admitted(socket, gate, v, pattern, frames[2], undefined, undefined),
    );
  }

  /** Acts on a verdict: dispatch, or drop / pause / reject, each counted. */
  private admitted(
    socket: SocketKind,
    gate: AdmissionGate,
    verdict: Verdict,
    pattern: string,
    body: Buffer,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number {
    if (verdict === Verdict.Admit) return this.dispatch(socket, pattern, body, routingId, id);
    const limited = this.stats.sockets[socket].limited;
    if (verdict === Verdict.Pause) {
      limited.pause++;
      return Math.min(MAX_PAUSE_MS, Math.max(1, Math.ceil(gate.waitMs)));
    }
    if (verdict === Verdict.Reject && routingId !== undefined && id !== undefined) {
      limited.reject++;
      this.replies!.error(
        routingId,
        id,
        new RateLimitedException(gate.rule?.name ?? 'rate-limit', gate.waitMs).getError(),
      );
      return 0;
    }
    limited.drop++;
    return 0;
  }

  private dispatch(
    socket: SocketKind,
    pattern: string,
    body: Buffer,
    routingId: Buffer | undefined,
    id: Buffer | undefined,
  ): number {
    if (id !== undefined) this.dispatchRequest(routingId!, id, pattern, body);
    else this.dispatchEvent(socket, pattern, body, routingId);
    return 0;
  }

  private dispatchRequest(routingId: Buffer, id: Buffer, pattern: string, body: Buffer): void {
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
    this.stats.inFlight++;
    const context = new ZmqContext([pattern, SocketKind.Router, routingId]);
    let finished = false;
    const respond = (packet: ResponsePacket) => {
      if (finished) return;
      replies.reply(routingId, id, packet);
      if (packet.err !== undefined || packet.isDisposed) {
        finished = true;
        this.settled();
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
      () => this.settled(),
      (error: unknown) => {
        this.settled();
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
    this.events.emit('malformed', { socket, reason });
    this.quietLog.warn(
      `malformed:${socket}:${reason}`,
      `Dropped a malformed message on the ${socket} socket: ${reason}.`,
    );
    if (routingId !== undefined && isValidId(id)) {
      this.replies!.error(routingId, id, {
        status: 'error',
        code: 'MALFORMED',
        reason,
        message: MALFORMED_MESSAGES[reason],
      });
    }
    return 0;
  }

  private settled(): void {
    this.stats.inFlight--;
    if (this.stats.inFlight === 0) this.drained?.();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and closing.
  // ---------------------------------------------------------------------------------------------

  /**
   * The one reader of a socket. Nothing thrown by a message escapes. A pause is a plain wait
   * before the same message is offered again: meanwhile nothing is read, the pipe fills to its
   * HWM and ZeroMQ and TCP push back on the senders; the paused message itself is not lost.
   */
  private async readLoop(
    socket: { closed: boolean; receive(): Promise<Buffer[]> },
    kind: SocketKind,
    onMessage: (frames: Buffer[]) => number | Promise<number>,
  ): Promise<void> {
    const stats = this.stats.sockets[kind];
    while (!socket.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (socket.closed) return;
        this.events.emit('error', error);
        this.quietLog.warn(
          'receive-failed',
          `Receive failed on the ${kind} socket: ${String(error)}`,
        );
        continue;
      }
      stats.received++;
      try {
        let waitMs = onMessage(frames);
        if (typeof waitMs !== 'number') waitMs = await waitMs;
        while (waitMs > 0 && !socket.closed) {
          const since = (stats.pausedSince ??= performance.now());
          await sleep(waitMs);
          stats.pausedMs += performance.now() - since;
          stats.pausedSince = undefined;
          waitMs = onMessage(frames);
          if (typeof waitMs !== 'number') waitMs = await waitMs;
        }
      } catch (error) {
        this.logger.error(error);
      }
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
    const deadline = sleep(drainTimeout, undefined, { ref: false });
    if (this.stats.inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.drained = resolve)), deadline]);
    }
    if (this.replies) await Promise.race([this.replies.flushed(), deadline]);
    this.sockets?.close();
    for (const gate of Object.values(this.gates)) this.rateLimits?.unregister(gate);
    this._status$.next(ZmqStatus.Closed);
  }
}
