import { AdmissionGate } from './admission-gate.js';
import { compileRule, type CompiledRule } from './compiled-rule.js';
import { validateRateLimitOptions, validateRuleForSocket } from './config-validation.js';
import { rulesFromExtras } from './rate-limit.decorator.js';
import type {
  RateLimitAction,
  RateLimitModuleOptions,
  RateLimitRuleOptions,
  SocketKind,
} from './rate-limit.interfaces.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';
import { MemoryStore } from './memory.store.js';

/** A handler as the transport saw it in `addHandler(pattern, handler, isEvent, extras)`. */
export interface GateHandler {
  pattern: string;
  isEvent: boolean;
  extras?: Record<string, any>;
}

export interface BuildGateOptions {
  /** Unique socket name (e.g. 'router' or 'router@tcp://*:5555'): rule ids start with it. */
  socket: string;
  socketKind: SocketKind;
  /** Module options (`RateLimitRegistry.options`); undefined = handler rules only. */
  options?: RateLimitModuleOptions;
  handlers: Iterable<GateHandler>;
  /** Default: `options.store`, else a new memory store. */
  store?: RateLimitStore;
}

/** Default action for a handler kind: requests get a reply, events cannot. */
export function defaultActionFor(socketKind: SocketKind, isEvent: boolean): RateLimitAction {
  return socketKind === 'router' && !isEvent ? 'reject' : 'drop';
}

/**
 * Compiles everything that applies to one socket into an `AdmissionGate`:
 * - `options.sockets[socketKind]` (key 'socket'), and on the router `options.peer` (key 'peer');
 * - per pattern: `options.patterns[pattern]` then the handler's `@RateLimit` rules from its
 *   extras (same name: the handler wins). `@SkipRateLimit()` drops both, not socket budgets.
 * Each handler rule is compiled per pattern, so a class-level rule gives every handler its
 * own budget. Throws `RateLimitConfigError` for any rule the socket cannot honour.
 */
export function buildAdmissionGate(opts: BuildGateOptions): AdmissionGate {
  const options = opts.options ?? {};
  validateRateLimitOptions(options);
  const { socket, socketKind } = opts;
  const defaults = options.defaults;
  const socketRules: CompiledRule[] = [];
  const socketRule = options.sockets?.[socketKind];
  if (socketRule !== undefined) {
    const path = `rateLimit.sockets.${socketKind}`;
    const rule = compileRule(socketRule, {
      socket,
      path,
      defaults,
      defaultKey: 'socket',
    });
    rule.action ??= defaultActionFor(socketKind, false);
    validateRuleForSocket(rule, socketKind, socketKind === 'router', path);
    socketRules.push(rule);
  }
  if (options.peer !== undefined && socketKind === 'router') {
    const path = 'rateLimit.peer';
    const rule = compileRule(
      { name: 'peer', ...options.peer },
      { socket, path, defaults, defaultKey: 'peer' },
    );
    rule.action ??= 'reject';
    validateRuleForSocket(rule, socketKind, true, path);
    socketRules.push(rule);
  }
  const patternRules = new Map<string, CompiledRule[]>();
  for (const handler of opts.handlers) {
    const skipped = handler.extras?.skipRateLimit === true;
    const fromOptions = options.patterns?.[handler.pattern];
    const configured: RateLimitRuleOptions[] =
      skipped || fromOptions === undefined
        ? []
        : ([] as RateLimitRuleOptions[]).concat(fromOptions);
    const byName = new Map<string, { rule: RateLimitRuleOptions; path: string }>();
    configured.forEach((rule, i) =>
      byName.set(rule.name ?? 'default', {
        rule,
        path: `rateLimit.patterns['${handler.pattern}']${Array.isArray(fromOptions) ? `[${i}]` : ''}`,
      }),
    );
    for (const rule of rulesFromExtras(handler.extras)) {
      byName.set(rule.name ?? 'default', {
        rule,
        path: `@RateLimit({ name: '${rule.name ?? 'default'}' }) on '${handler.pattern}'`,
      });
    }
    const compiled: CompiledRule[] = [];
    for (const { rule, path } of byName.values()) {
      const c = compileRule(rule, {
        socket,
        pattern: handler.pattern,
        path,
        defaults,
      });
      c.action ??= defaultActionFor(socketKind, handler.isEvent);
      validateRuleForSocket(c, socketKind, !handler.isEvent, path);
      compiled.push(c);
    }
    if (compiled.length > 0) patternRules.set(handler.pattern, compiled);
  }
  return new AdmissionGate({
    socket,
    socketRules,
    patternRules,
    store: opts.store ?? options.store ?? new MemoryStore({ maxKeys: options.maxKeys }),
    shadow: options.shadow,
    defaultAction: defaultActionFor(socketKind, false),
  });
}
