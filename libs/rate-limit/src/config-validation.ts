import { DEFAULT_RULE_NAME } from './rate-limit.constants.js';
import { RateLimitConfigError, describeValue } from './rate-limit-config.error.js';
import { parseDuration } from './duration.js';
import type {
  NormalizedRule,
  RateLimitAction,
  RateLimitDefaults,
  RateLimitModuleOptions,
  RateLimitRuleOptions,
  SocketKind,
} from './rate-limit.interfaces.js';

const RULE_KEYS = ['limit', 'per', 'burst', 'key', 'action', 'name', 'shadow'];
const MODULE_KEYS = [
  'defaults',
  'sockets',
  'peer',
  'patterns',
  'maxKeys',
  'idleEvictMs',
  'shadow',
  'store',
  'events',
  'isGlobal',
];
const EVENTS_KEYS = [
  'intervalMs',
  'nearLimitRatio',
  'sustainedAfterMs',
  'sustainedShare',
  'quietAfterMs',
];
const DEFAULTS_KEYS = ['action', 'shadow', 'burst'];
const SOCKET_KEYS = ['router', 'pull', 'sub'];
const ACTIONS: readonly RateLimitAction[] = ['drop', 'pause', 'reject'];
const KEY_KINDS = ['pattern', 'peer', 'socket'];

function fail(path: string, what: string, value: unknown, fix: string): never {
  throw new RateLimitConfigError(`${path} ${what} (got ${describeValue(value)}): ${fix}`);
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Typo protection: an unknown key is an error listing the allowed ones. */
function checkKeys(obj: object, allowed: readonly string[], path: string) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new RateLimitConfigError(
        `${path}.${key} is not a known option: use one of ${allowed.join(', ')}`,
      );
    }
  }
}

function checkPositiveInt(value: unknown, path: string, fix: string) {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    fail(path, 'must be a positive integer', value, fix);
  }
}

function checkAction(value: unknown, path: string) {
  if (value !== undefined && !ACTIONS.includes(value as RateLimitAction)) {
    fail(path, 'must be one of drop, pause, reject', value, 'pick one of them');
  }
}

function checkRatio(value: unknown, path: string, fix: string) {
  if (value !== undefined && (typeof value !== 'number' || !(value > 0 && value <= 1))) {
    fail(path, 'must be a number above 0 and at most 1', value, fix);
  }
}

function checkBoolean(value: unknown, path: string) {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(path, 'must be a boolean', value, 'use true or false');
  }
}

/**
 * Validates one rule and fills in name, burst, key and shadow. `path` names the rule in
 * messages, e.g. `rateLimit.sockets.router`. Throws `RateLimitConfigError`.
 */
export function normalizeRule(
  rule: RateLimitRuleOptions,
  path: string,
  defaults: RateLimitDefaults = {},
  defaultKey: NormalizedRule['key'] = 'pattern',
): NormalizedRule {
  if (!isPlainObject(rule)) {
    fail(path, 'must be an object', rule, "write { limit: 10, per: '1s' }");
  }
  checkKeys(rule, RULE_KEYS, path);
  checkPositiveInt(
    rule.limit,
    `${path}.limit`,
    "set how many messages are allowed per 'per' window",
  );
  const perMs = parseDuration(rule.per, `${path}.per`);
  const burst = rule.burst ?? defaults.burst ?? rule.limit;
  checkPositiveInt(
    burst,
    `${path}.burst`,
    'set how many messages may arrive at once (default: limit)',
  );
  const key = rule.key ?? defaultKey;
  if (typeof key !== 'function' && !KEY_KINDS.includes(key)) {
    fail(
      `${path}.key`,
      'must be pattern, peer, socket or a function',
      key,
      'use one of them or (ctx) => string',
    );
  }
  checkAction(rule.action, `${path}.action`);
  checkBoolean(rule.shadow, `${path}.shadow`);
  if (rule.name !== undefined && (typeof rule.name !== 'string' || rule.name === '')) {
    fail(`${path}.name`, 'must be a non-empty string', rule.name, 'name the rule');
  }
  return {
    name: rule.name ?? DEFAULT_RULE_NAME,
    limit: rule.limit,
    perMs,
    burst,
    key,
    action: rule.action ?? defaults.action,
    shadow: rule.shadow ?? defaults.shadow ?? false,
  };
}

/**
 * Checks the rules a socket kind cannot honour:
 * - `pause` on a per-peer rule of the ROUTER would stop reading for every peer;
 * - `reject` on PULL/SUB or on an event handler: there is no reply path.
 */
export function validateRuleForSocket(
  rule: { key?: unknown; action?: RateLimitAction },
  socketKind: SocketKind,
  isRequestHandler: boolean,
  path: string,
): void {
  if (socketKind === 'router' && rule.key === 'peer' && rule.action === 'pause') {
    fail(
      `${path}.action`,
      "must not be 'pause' on a per-peer rule of the router socket",
      rule.action,
      "pausing the socket would stall every peer: use 'drop' or 'reject'",
    );
  }
  if (rule.action === 'reject' && socketKind !== 'router') {
    fail(
      `${path}.action`,
      `must not be 'reject' on a ${socketKind} socket`,
      rule.action,
      "event sockets have no reply path: use 'drop' or 'pause'",
    );
  }
  if (rule.action === 'reject' && !isRequestHandler) {
    fail(
      `${path}.action`,
      "must not be 'reject' on an event handler",
      rule.action,
      "events have no reply path: use 'drop' or 'pause'",
    );
  }
}

/** Validates module options at start-up; throws `RateLimitConfigError` naming the field. */
export function validateRateLimitOptions(
  options: RateLimitModuleOptions | undefined,
  root = 'rateLimit',
): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    fail(root, 'must be an object', options, 'pass { sockets, peer, patterns, ... }');
  }
  checkKeys(options, MODULE_KEYS, root);
  const defaults = options.defaults ?? {};
  if (!isPlainObject(defaults)) {
    fail(`${root}.defaults`, 'must be an object', defaults, 'pass { action, shadow, burst }');
  }
  checkKeys(defaults, DEFAULTS_KEYS, `${root}.defaults`);
  checkAction(defaults.action, `${root}.defaults.action`);
  checkBoolean(defaults.shadow, `${root}.defaults.shadow`);
  if (defaults.burst !== undefined) {
    checkPositiveInt(defaults.burst, `${root}.defaults.burst`, 'or leave it out (burst = limit)');
  }
  checkBoolean(options.shadow, `${root}.shadow`);
  if (options.maxKeys !== undefined) {
    checkPositiveInt(
      options.maxKeys,
      `${root}.maxKeys`,
      'bound the number of tracked keys per rule',
    );
  }
  if (options.idleEvictMs !== undefined) {
    parseDuration(options.idleEvictMs, `${root}.idleEvictMs`);
  }
  if (options.store !== undefined && typeof options.store?.consume !== 'function') {
    fail(
      `${root}.store`,
      'must implement RateLimitStore',
      options.store,
      'pass a store with consume()',
    );
  }
  if (options.events !== undefined) {
    const events = options.events;
    const path = `${root}.events`;
    if (!isPlainObject(events)) {
      fail(path, 'must be an object', events, "pass { intervalMs: '1s', nearLimitRatio: 0.8 }");
    }
    checkKeys(events, EVENTS_KEYS, path);
    for (const key of ['intervalMs', 'sustainedAfterMs', 'quietAfterMs'] as const) {
      if (events[key] !== undefined) parseDuration(events[key], `${path}.${key}`);
    }
    checkRatio(events.nearLimitRatio, `${path}.nearLimitRatio`, 'e.g. 0.8 for 80% of the limit');
    checkRatio(
      events.sustainedShare,
      `${path}.sustainedShare`,
      'e.g. 0.1 when 10% of messages limited counts as sustained throttling',
    );
  }
  if (options.sockets !== undefined) {
    if (!isPlainObject(options.sockets)) {
      fail(`${root}.sockets`, 'must be an object', options.sockets, 'pass { router, pull, sub }');
    }
    checkKeys(options.sockets, SOCKET_KEYS, `${root}.sockets`);
    for (const kind of SOCKET_KEYS as SocketKind[]) {
      const rule = options.sockets[kind];
      if (rule === undefined) continue;
      const path = `${root}.sockets.${kind}`;
      const n = normalizeRule(rule, path, defaults, 'socket');
      validateRuleForSocket(n, kind, kind === 'router', path);
    }
  }
  if (options.peer !== undefined) {
    const path = `${root}.peer`;
    const n = normalizeRule(options.peer, path, defaults, 'peer');
    validateRuleForSocket(n, 'router', true, path);
  }
  if (options.patterns !== undefined) {
    if (!isPlainObject(options.patterns)) {
      fail(
        `${root}.patterns`,
        'must be an object',
        options.patterns,
        "pass { 'orders.create': { limit, per } }",
      );
    }
    for (const [pattern, rules] of Object.entries(options.patterns)) {
      const list = Array.isArray(rules) ? rules : [rules];
      list.forEach((rule, i) =>
        normalizeRule(
          rule,
          `${root}.patterns['${pattern}']${Array.isArray(rules) ? `[${i}]` : ''}`,
          defaults,
        ),
      );
    }
  }
}
