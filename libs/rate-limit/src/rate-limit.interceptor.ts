import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PATTERN_HANDLER_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { EMPTY, type Observable, throwError } from 'rxjs';
import { AdmissionGate, type AdmissionDetails } from './admission-gate.js';
import { compileRule } from './compiled-rule.js';
import { MemoryStore } from './memory.store.js';
import {
  RATE_LIMITED_CODE,
  RATE_LIMIT_METADATA,
  SKIP_RATE_LIMIT_METADATA,
} from './rate-limit.constants.js';
import { mergeRulesByName } from './rate-limit.decorator.js';
import type { RateLimitModuleOptions, RateLimitRuleOptions } from './rate-limit.interfaces.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit.module-definition.js';
import { RateLimitRegistry } from './rate-limit.registry.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { Verdict } from './verdict.js';

/** Nest's PatternHandler.EVENT. */
const EVENT_HANDLER = 2;

interface HandlerGate {
  gate: AdmissionGate;
  isEvent: boolean;
}

/**
 * Applies `@RateLimit()` rules on Nest's own transports (TCP, NATS, Redis…) and on HTTP,
 * where no Sluice transport runs admission. One gate per handler, on a memory store.
 *
 * Keys: `pattern` → the message pattern or `METHOD /route`; `peer` → the request IP (HTTP)
 * or the socket's remote address (TCP); `socket` → one bucket per handler.
 * Over the limit: HTTP → 429 with `Retry-After` (s, rounded up); RPC request → a
 * `RateLimitedException` (`drop` completes without a value); RPC event → swallowed.
 * Nest's transports cannot stop reading a socket, so `pause` acts as `reject` here.
 * Subclass and override the protected hooks to change keys or responses.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  protected readonly store: MemoryStore;
  private readonly gates = new Map<Function, HandlerGate | null>();
  private readonly details: AdmissionDetails = { waitMs: 0, rule: undefined };

  constructor(
    protected readonly reflector: Reflector,
    @Optional()
    @Inject(RATE_LIMIT_OPTIONS)
    protected readonly options: RateLimitModuleOptions = {},
    @Optional() protected readonly registry?: RateLimitRegistry,
  ) {
    this.options ??= {};
    this.store = new MemoryStore({ maxKeys: this.options.maxKeys });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const entry = this.gateFor(context);
    if (entry === null) return next.handle();
    const { gate } = entry;
    const pattern = this.getPattern(context);
    const peer = gate.hasPeerRules ? this.getPeer(context) : undefined;
    // The memory store is synchronous.
    const verdict = gate.admit(pattern, peer, performance.now(), this.details) as Verdict;
    if (verdict === Verdict.Admit) return next.handle();
    return this.onLimited(context, entry.isEvent, verdict, this.details);
  }

  /** The `pattern` key: the message pattern, or `METHOD /route/:param` for HTTP. */
  protected getPattern(context: ExecutionContext): string {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest();
      return `${req.method} ${req.route?.path ?? req.path ?? req.url}`;
    }
    const rpcCtx = context.switchToRpc().getContext();
    const fromCtx = rpcCtx?.getPattern?.();
    if (typeof fromCtx === 'string') return fromCtx;
    const patterns = Reflect.getMetadata(PATTERN_METADATA, context.getHandler());
    const first = Array.isArray(patterns) ? patterns[0] : patterns;
    return typeof first === 'string' ? first : JSON.stringify(first);
  }

  /** The `peer` key: the client IP (HTTP) or the TCP socket's remote address. */
  protected getPeer(context: ExecutionContext): string | undefined {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest();
      return req.ip ?? req.socket?.remoteAddress;
    }
    const rpcCtx = context.switchToRpc().getContext();
    const socket = rpcCtx?.getSocketRef?.()?.socket;
    if (socket?.remoteAddress === undefined) return undefined;
    return `${socket.remoteAddress}:${socket.remotePort}`;
  }

  protected onLimited(
    context: ExecutionContext,
    isEvent: boolean,
    verdict: Verdict,
    details: AdmissionDetails,
  ): Observable<unknown> {
    const waitMs = Math.ceil(details.waitMs);
    const rule = details.rule?.name ?? 'default';
    if (context.getType() === 'http') {
      const res = context.switchToHttp().getResponse();
      const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
      if (typeof res.setHeader === 'function') res.setHeader('Retry-After', seconds);
      else res.header?.('Retry-After', seconds);
      return throwError(
        () =>
          new HttpException(
            {
              statusCode: HttpStatus.TOO_MANY_REQUESTS,
              code: RATE_LIMITED_CODE,
              message: `Rate limit exceeded for rule "${rule}": retry after ${waitMs} ms`,
              retryAfterMs: waitMs,
            },
            HttpStatus.TOO_MANY_REQUESTS,
          ),
      );
    }
    if (isEvent || verdict === Verdict.Drop) return EMPTY;
    return throwError(() => new RateLimitedException(rule, waitMs));
  }

  private gateFor(context: ExecutionContext): HandlerGate | null {
    const handler = context.getHandler();
    let entry = this.gates.get(handler);
    if (entry === undefined) {
      entry = this.buildGate(context);
      this.gates.set(handler, entry);
    }
    return entry;
  }

  private buildGate(context: ExecutionContext): HandlerGate | null {
    const handler = context.getHandler();
    const cls = context.getClass();
    const targets = [handler, cls];
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_METADATA, targets)) {
      return null;
    }
    const type = context.getType();
    const pattern = this.getPattern(context);
    const configured = this.options.patterns?.[pattern];
    const rules = mergeRulesByName(
      configured === undefined ? [] : ([] as RateLimitRuleOptions[]).concat(configured),
      this.reflector.get<RateLimitRuleOptions[]>(RATE_LIMIT_METADATA, cls),
      this.reflector.get<RateLimitRuleOptions[]>(RATE_LIMIT_METADATA, handler),
    );
    if (rules.length === 0) return null;
    const isEvent =
      type !== 'http' && Reflect.getMetadata(PATTERN_HANDLER_METADATA, handler) === EVENT_HANDLER;
    const socket = `${type}:${cls.name}.${handler.name}`;
    const compiled = rules.map((rule) =>
      compileRule(rule, {
        socket,
        pattern,
        path: `@RateLimit({ name: '${rule.name ?? 'default'}' }) on ${cls.name}.${handler.name}`,
        defaults: this.options.defaults,
      }),
    );
    // The handler's rules apply to every message it gets (a handler may have several
    // patterns): they are this gate's socket rules, keyed per message.
    const gate = new AdmissionGate({
      socket,
      socketRules: compiled,
      patternRules: new Map(),
      store: this.store,
      shadow: this.options.shadow,
      defaultAction: isEvent ? 'drop' : 'reject',
    });
    this.registry?.register(gate);
    return { gate, isEvent };
  }
}
