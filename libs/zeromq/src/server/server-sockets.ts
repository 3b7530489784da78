import { Logger } from '@nestjs/common';
import { Pull, Router, type Socket, Subscriber } from 'zeromq';
import type { ZmqServerOptions } from '../interfaces/zmq-server-options.interface.js';
import { applyCurveSocketOptions, reconnectWhenRefused } from '../security/curve-sockets.js';
import { authenticatedRouter } from '../security/routing-id-guard.js';
import { ServerSecurity } from '../security/server-security.js';
import { applySocketOptions, bindAll, connectAll, endpointsOf } from '../sockets/open-socket.js';
import { type PeerEvent, PeerMonitor } from '../sockets/peer-monitor.js';
import { SocketWriter } from '../sockets/socket-writer.js';
import { batchReplies, repliesIn } from './reply-batch.js';
import {
  DEFAULT_PULL_OPTIONS,
  DEFAULT_ROUTER_OPTIONS,
  DEFAULT_SUB_OPTIONS,
  SocketKind,
} from '../zmq.constants.js';

/** A connection refused at the CURVE handshake (ZAP status 400: key not allowed). */
export interface AuthRefusedEvent {
  socket: SocketKind;
  /** The endpoint the socket bound or connected (ZeroMQ events carry no peer address). */
  address: string;
  status: number | undefined;
}

type Emit = {
  (event: 'peer:connected' | 'peer:disconnected', payload: PeerEvent): void;
  (event: 'auth:refused', payload: AuthRefusedEvent): void;
};

/** The open sockets of a server, their monitors and the ROUTER's single writer. */
export class ServerSockets {
  readonly sockets: { router?: Router; pull?: Pull; sub?: Subscriber } = {};
  routerWriter: SocketWriter | undefined;
  /** The CURVE side (keys, allow-list, ZAP domain) when `options.curve` is set. */
  security: ServerSecurity | undefined;
  /** Handshakes refused by the ZAP handler, per socket (from the sockets' own events). */
  readonly authRefused: Partial<Record<SocketKind, number>> = {};
  private readonly monitors: PeerMonitor[] = [];
  private replyFailed: (error: unknown, replies: number) => void = () => undefined;

  watch(socket: Socket, name: SocketKind, emit: Emit): void {
    this.monitors.push(new PeerMonitor(socket, name, emit));
  }

  /** With CURVE: makes `socket` a CURVE server (before it binds or connects), counts refusals. */
  secure(socket: Socket, name: SocketKind, emit: Emit): void {
    if (this.security === undefined) return;
    applyCurveSocketOptions(socket, this.security.socketOptions);
    socket.events.on('handshake:error:auth', ({ address, error }) => {
      this.authRefused[name] = (this.authRefused[name] ?? 0) + 1;
      emit('auth:refused', { socket: name, address, status: error.status });
    });
  }

  connectedPeers(): Partial<Record<SocketKind, number>> {
    const peers: Partial<Record<SocketKind, number>> = {};
    for (const monitor of this.monitors) peers[monitor.name as SocketKind] = monitor.connected;
    return peers;
  }

  onReplyFailed(callback: (error: unknown, replies: number) => void): void {
    this.replyFailed = callback;
  }

  reportReplyFailed(error: unknown, replies: number): void {
    this.replyFailed(error, replies);
  }

  close(): void {
    const { router, pull, sub } = this.sockets;
    for (const socket of [router, pull, sub]) {
      if (socket && !socket.closed) socket.close();
    }
    // After the sockets: none of them may accept a connection without its authenticator.
    this.security?.close();
    this.security = undefined;
  }
}

/**
 * Opens the configured sockets with the safe defaults, binding or connecting each endpoint.
 * With `curve`, the authenticator is registered first and each socket is a CURVE server.
 * On any failure every socket opened so far is closed again and the error names the endpoint.
 */
export async function openServerSockets(
  options: ZmqServerOptions,
  emit: Emit,
): Promise<ServerSockets> {
  const opened = new ServerSockets();
  const { router, pull, sub } = options;
  try {
    if (options.curve) opened.security = await ServerSecurity.open(options.curve);
    if (router) {
      // `mandatory`: a reply to a vanished peer fails (and is counted) instead of vanishing.
      const security = opened.security;
      const socket = security
        ? authenticatedRouter(
            (id) => security.acceptsRoutingId(id),
            () => security.unboundDropped(),
            { mandatory: true },
          )
        : new Router({ mandatory: true });
      opened.sockets.router = socket;
      applySocketOptions(socket, DEFAULT_ROUTER_OPTIONS, router);
      opened.secure(socket, SocketKind.Router, emit);
      opened.watch(socket, SocketKind.Router, emit);
      await bindAll(socket, endpointsOf(router.bind), 'router');
      // Replies written in the same tick to a peer that batches its requests go out together.
      opened.routerWriter = new SocketWriter(
        socket,
        (error, frames) => opened.reportReplyFailed(error, repliesIn(frames)),
        { merge: batchReplies, worthWaiting: () => false },
      );
    }
    if (pull) {
      const socket = new Pull();
      opened.sockets.pull = socket;
      applySocketOptions(socket, DEFAULT_PULL_OPTIONS, pull);
      opened.secure(socket, SocketKind.Pull, emit);
      opened.watch(socket, SocketKind.Pull, emit);
      await bindAll(socket, endpointsOf(pull.bind), 'pull');
    }
    if (sub) {
      const socket = new Subscriber();
      opened.sockets.sub = socket;
      applySocketOptions(socket, DEFAULT_SUB_OPTIONS, sub);
      opened.secure(socket, SocketKind.Sub, emit);
      opened.watch(socket, SocketKind.Sub, emit);
      if (sub.topics === undefined) socket.subscribe();
      else socket.subscribe(...sub.topics);
      if (opened.security) {
        reconnectWhenRefused(
          socket,
          new Logger('ZmqServer'),
          "add the publisher's public key to this server's curve.allow",
        );
      }
      connectAll(socket, endpointsOf(sub.connect));
    }
  } catch (error) {
    opened.close();
    throw error;
  }
  return opened;
}
