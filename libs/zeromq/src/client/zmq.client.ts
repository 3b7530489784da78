import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { InvalidMessageException } from '@nestjs/microservices/errors/invalid-message.exception.js';
import { from, Observable, throwError } from 'rxjs';
import { Dealer, Publisher, Push, type Socket } from 'zeromq';

/** What `ZmqClient.on()` reports, from the DEALER's and PUSH's socket monitors. */
export type ZmqClientEvent = 'connected' | 'disconnected' | 'auth:refused';

const isNil = (value: unknown): boolean => value === undefined || value === null;
import type { ZmqClientOptions } from '../interfaces/zmq-client-options.interface.js';
import type { ZmqDeserializer, ZmqSerializer } from '../interfaces/zmq-socket-options.interface.js';
import { JsonDeserializer, JsonSerializer } from '../json.codec.js';
import { validateClientOptions } from '../options/validate-options.js';
import { openClientSecurity, secureClientSocket } from '../security/client-security.js';
import { applySocketOptions, bindAll, connectAll, endpointsOf } from '../sockets/open-socket.js';
import { SocketWriter } from '../sockets/socket-writer.js';
import { TransportEvents } from '../sockets/transport-events.js';
import { HEADERS, MessageKind } from '../wire/wire.constants.js';
import {
  DEFAULT_CLIENT_SOCKET_OPTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  ZmqStatus,
} from '../zmq.constants.js';
import { isRateLimitedError } from '@sluice/rate-limit';
import { RetryAfterBackoff } from './retry-after-backoff.js';
import { ReplyReader } from './reply-reader.js';
import { batchEvents, batchRequests, idsOf } from './request-batch.js';
import { PendingRequests, type ReplyCallback } from './pending-requests.js';
import { describeSendError, ZmqRequestError } from './zmq-request.error.js';

/** The sockets behind a connected client, as `unwrap()` returns them. */
export interface ZmqClientSockets {
  dealer?: Dealer;
  push?: Push;
  pub?: Publisher;
}

/**
 * Nest client proxy over ZeroMQ: `send()` over a DEALER with correlation ids (many requests in
 * flight, streamed replies), `emit()` over PUSH, PUB, or the DEALER.
 * Register with `ClientsModule.register([{ name, customClass: ZmqClient, options }])`.
 */
// Typed with Nest's defaults so that ClientsModule and ClientProxyFactory accept the class;
// the statuses it publishes are ZmqStatus values.
export class ZmqClient extends ClientProxy<Record<never, Function>, string> {
  private readonly logger = new Logger(ZmqClient.name);
  private readonly options: ZmqClientOptions;
  private readonly bodySerializer: ZmqSerializer;
  private readonly bodyDeserializer: ZmqDeserializer;
  private readonly pending: PendingRequests;
  private sockets: ZmqClientSockets | undefined;
  private dealerWriter: SocketWriter | undefined;
  private eventWriter: SocketWriter | undefined;
  private connecting: Promise<ZmqClientSockets> | undefined;
  private nextId = 0;
  /** Events handed to ZeroMQ's send and not yet taken (pushback makes them pile up). */
  private eventsInFlight = 0;
  /** Every socket open (and the PUB bound): sends need no connect() first. */
  private ready = false;
  private readonly backoff: RetryAfterBackoff | undefined;
  private readonly replies: ReplyReader;
  private readonly events = new TransportEvents();
  /** Requests resent after a RATE_LIMITED reply (option `retryOnRateLimit`). */
  rateLimitRetries = 0;

  constructor(options: ZmqClientOptions) {
    super();
    validateClientOptions(options);
    this.options = options;
    this.bodySerializer = options.serializer ?? new JsonSerializer();
    this.bodyDeserializer = options.deserializer ?? new JsonDeserializer();
    const retry = options.retryOnRateLimit;
    this.backoff = retry ? new RetryAfterBackoff(retry === true ? {} : retry) : undefined;
    this.pending = new PendingRequests(options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.replies = new ReplyReader(this.pending, this.bodyDeserializer);
  }

  /** Replies that matched no pending request (late, after a timeout, or foreign). */
  get unmatchedReplies(): number {
    return this.replies.unmatched;
  }

  /** `connected` / `disconnected` / `auth:refused`, each with `{ socket, address }`. */
  override on(
    event: ZmqClientEvent,
    callback: (event: { socket: string; address: string }) => void,
  ): void {
    this.events.on(event, callback);
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  connect(): Promise<ZmqClientSockets> {
    this.connecting ??= this.openSockets().catch((error: unknown) => {
      this.connecting = undefined;
      this.closeSockets();
      throw error;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.pending.failAll(
      new ZmqRequestError('CLIENT_CLOSED', 'The ZmqClient was closed before a reply arrived.'),
    );
    await Promise.all([this.dealerWriter?.flushed(), this.eventWriter?.flushed()]);
    this.closeSockets();
    this.connecting = undefined;
    this._status$.next(ZmqStatus.Closed);
  }

  unwrap<T = ZmqClientSockets>(): T {
    if (this.sockets === undefined) {
      throw new Error(
        'ZmqClient is not connected: call connect() (or send/emit once) before unwrap().',
      );
    }
    return this.sockets as T;
  }

  /**
   * Nest's `send()` with the connected case made direct: ClientProxy defers every call through
   * an async connect and a mergeMap, a promise and two subscriptions per request. Same contract:
   * cold, one request per subscription, `onDispatchHook` and `createObserver` as Nest's.
   */
  override send<TResult = any, TInput = any>(pattern: any, data: TInput): Observable<TResult> {
    if (isNil(pattern) || isNil(data)) return throwError(() => new InvalidMessageException());
    return new Observable<TResult>((observer) => {
      const callback = this.createObserver(observer);
      if (this.dealerWriter !== undefined)
        return this.publish(this.createPacket(pattern, data), callback);
      let teardown: (() => void) | undefined;
      let unsubscribed = false;
      this.connect().then(
        () => {
          if (!unsubscribed) teardown = this.publish(this.createPacket(pattern, data), callback);
        },
        (error: unknown) => observer.error(error),
      );
      return () => {
        unsubscribed = true;
        teardown?.();
      };
    });
  }

  /**
   * Nest's `emit()`, direct when connected: hot (the event is sent whether or not anyone
   * subscribes), and the returned observable completes once ZeroMQ took the event, or errors
   * when it could not (a PUSH at its HWM until `sendTimeout`: the pushback is visible here).
   */
  override emit<TResult = any, TInput = any>(pattern: any, data: TInput): Observable<TResult> {
    if (isNil(pattern) || isNil(data)) return throwError(() => new InvalidMessageException());
    const sent = this.ready
      ? this.dispatchEvent<TResult>(this.createPacket(pattern, data))
      : this.connect().then(() => this.dispatchEvent<TResult>(this.createPacket(pattern, data)));
    // Nobody may subscribe: the failure is then only the caller's to ignore, never unhandled.
    sent.catch(() => undefined);
    return from(sent);
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const writer = this.dealerWriter;
    if (writer === undefined) {
      callback({
        err: new ZmqRequestError(
          'NO_SOCKET',
          'ZmqClient has no dealer socket: set options.dealer.connect to send requests.',
        ),
        isDisposed: true,
      });
      return () => undefined;
    }
    let body: Buffer | string;
    try {
      body = this.bodySerializer.serialize(packet.data);
    } catch (error) {
      callback({
        err: new ZmqRequestError(
          'SEND_FAILED',
          `The request data could not be serialized: ${String(error)}`,
          { cause: error },
        ),
        isDisposed: true,
      });
      return () => undefined;
    }
    const pattern = this.normalizePattern(packet.pattern);
    const id = (this.nextId++).toString(36);
    const frames = [HEADERS[MessageKind.Request], id, pattern, body];
    const backoff = this.backoff;
    if (backoff === undefined) {
      this.pending.add(id, callback as ReplyCallback);
      writer.write(frames);
      return () => this.pending.delete(id);
    }
    // With retryOnRateLimit: wait out the pattern's hold, and resend after a RATE_LIMITED reply.
    let timer: NodeJS.Timeout | undefined;
    let attempt = 0;
    const onReply: ReplyCallback = (reply) => {
      if (reply.err !== undefined && isRateLimitedError(reply.err)) {
        const { retryAfterMs } = reply.err;
        if (backoff.limited(pattern, retryAfterMs, attempt++)) {
          this.rateLimitRetries++;
          timer = setTimeout(sendNow, retryAfterMs);
          return;
        }
      }
      callback(reply as WritePacket);
    };
    const sendNow = () => {
      timer = undefined;
      this.pending.add(id, onReply);
      writer.write(frames);
    };
    const delay = backoff.delayFor(pattern);
    if (delay > 0) timer = setTimeout(sendNow, delay);
    else sendNow();
    return () => {
      clearTimeout(timer);
      this.pending.delete(id);
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern);
    const body = this.bodySerializer.serialize(packet.data);
    const header = HEADERS[MessageKind.Event];
    this.eventsInFlight++;
    try {
      if (this.options.pub) await this.eventWriter!.writeAndWait([pattern, header, body]);
      else if (this.options.push) await this.eventWriter!.writeAndWait([header, pattern, body]);
      else await this.dealerWriter!.writeAndWait([header, pattern, body]);
    } catch (error) {
      throw new ZmqRequestError(
        'SEND_FAILED',
        `The event '${pattern}' was not sent: ${describeSendError(error)}`,
        { cause: error },
      );
    } finally {
      this.eventsInFlight--;
    }
    return undefined as T;
  }

  private async openSockets(): Promise<ZmqClientSockets> {
    const { dealer, push, pub, curve } = this.options;
    const sockets: ZmqClientSockets = {};
    this.sockets = sockets;
    const security = curve === undefined ? undefined : openClientSecurity(curve, this.logger);
    if (dealer) {
      const socket = new Dealer();
      sockets.dealer = socket;
      applySocketOptions(socket, DEFAULT_CLIENT_SOCKET_OPTIONS, dealer);
      secureClientSocket(socket, security, this.logger, true);
      const endpoints = endpointsOf(dealer.connect);
      this.watchConnection(socket, 'dealer', endpoints.length === 1);
      connectAll(socket, endpoints);
      this.dealerWriter = new SocketWriter(
        socket,
        (error, frames) => this.onRequestNotSent(error, frames),
        // One request in flight goes out at once; with more, a turn's requests go out together.
        { merge: batchRequests, worthWaiting: () => this.pending.size > 1 },
      );
      void this.replies.read(socket, this.logger);
    }
    if (pub) {
      const socket = new Publisher();
      sockets.pub = socket;
      applySocketOptions(socket, DEFAULT_CLIENT_SOCKET_OPTIONS, pub);
      secureClientSocket(socket, security, this.logger, false);
      await bindAll(socket, endpointsOf(pub.bind), 'pub');
      this.eventWriter = new SocketWriter(socket, () => undefined);
    } else if (push) {
      const socket = new Push();
      sockets.push = socket;
      applySocketOptions(socket, DEFAULT_CLIENT_SOCKET_OPTIONS, push);
      secureClientSocket(socket, security, this.logger, true);
      const endpoints = endpointsOf(push.connect);
      this.watchConnection(socket, 'push', endpoints.length === 1);
      connectAll(socket, endpoints);
      // Events emitted in one turn while others are in flight go out as one event batch.
      this.eventWriter = new SocketWriter(socket, () => undefined, {
        mergeGroup: batchEvents,
        worthWaiting: () => this.eventsInFlight > 1,
      });
    }
    this.ready = true;
    return sockets;
  }

  /**
   * With one server endpoint, a lost connection means the requests in flight will not be
   * answered: fail them at once with a clear error rather than let them wait for the timeout.
   * (With several, the DEALER's round robin hides which server had which request.)
   */
  private watchConnection(socket: Socket, name: string, singleEndpoint: boolean): void {
    socket.events.on('connect', ({ address }) => {
      this._status$.next(ZmqStatus.Connected);
      this.events.emit('connected', { socket: name, address });
    });
    socket.events.on('disconnect', (event) => {
      this._status$.next(ZmqStatus.Closed);
      this.events.emit('disconnected', { socket: name, address: event.address });
      if (!singleEndpoint || name !== 'dealer') return;
      this.pending.failAll(
        new ZmqRequestError(
          'CONNECTION_LOST',
          `The connection to ${event.address} was lost; the request may or may not have been processed.`,
        ),
      );
    });
    socket.events.on('handshake:error:auth', (event) => {
      this.events.emit('auth:refused', { socket: name, address: event.address });
      if (!singleEndpoint || name !== 'dealer') return;
      this.pending.failAll(
        new ZmqRequestError(
          'AUTH_REFUSED',
          `The server at ${event.address} refused this client's CURVE key (ZAP status ${event.error.status}): add its public key to the server's allow-list.`,
        ),
      );
    });
  }

  private onRequestNotSent(error: unknown, frames: Array<Buffer | string>): void {
    const reason = `The request was not sent: ${describeSendError(error)}`;
    for (const id of idsOf(frames)) {
      this.pending.fail(id, new ZmqRequestError('SEND_FAILED', reason, { cause: error }));
    }
  }

  private closeSockets(): void {
    const sockets = this.sockets ?? {};
    for (const socket of [sockets.dealer, sockets.push, sockets.pub]) {
      if (socket && !socket.closed) socket.close();
    }
    this.sockets = undefined;
    this.ready = false;
    this.dealerWriter = undefined;
    this.eventWriter = undefined;
  }
}
