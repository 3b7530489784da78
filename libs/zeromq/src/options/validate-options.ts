import { describeValue } from '@sluice/rate-limit';
import type { ZmqClientOptions } from '../interfaces/zmq-client-options.interface.js';
import type {
  ZmqServerOptions,
  ZmqSubOptions,
} from '../interfaces/zmq-server-options.interface.js';
import { validateClientCurve, validateServerCurve } from '../security/validate-curve-options.js';
import { ZmqConfigError } from './zmq-config.error.js';
import {
  SOCKET_OPTION_NAMES,
  assertIntOption,
  assertKnownKeys,
  assertPlainObject,
  validateEndpoints,
  validateSocketOptions,
} from './validate-socket-options.js';

const SERVER_KEYS = [
  'router',
  'pull',
  'sub',
  'serializer',
  'deserializer',
  'maxPatternBytes',
  'drainTimeout',
  'rateLimits',
  'curve',
];
const CLIENT_KEYS = [
  'dealer',
  'push',
  'pub',
  'timeout',
  'retryOnRateLimit',
  'serializer',
  'deserializer',
  'curve',
];

const SEND_ONLY = ['sendHighWaterMark', 'sendTimeout'];
const RECEIVE_ONLY = ['receiveHighWaterMark'];

function validateSocket(
  value: unknown,
  path: string,
  endpointKey: 'bind' | 'connect',
  notApplicable: string[] = [],
  extraKeys: string[] = [],
): void {
  const example =
    endpointKey === 'bind'
      ? `{ bind: 'tcp://127.0.0.1:5555' }`
      : `{ connect: 'tcp://127.0.0.1:5555' }`;
  assertPlainObject(value, path, `use ${example}`);
  for (const key of notApplicable) {
    if (value[key] !== undefined) {
      throw new ZmqConfigError(
        `${path}.${key} does not apply to this socket, which only ${SEND_ONLY.includes(key) ? 'receives' : 'sends'}: remove it`,
      );
    }
  }
  assertKnownKeys(value, [endpointKey, ...extraKeys, ...SOCKET_OPTION_NAMES], path);
  validateEndpoints(value[endpointKey], `${path}.${endpointKey}`);
  validateSocketOptions(value, path);
}

function validateCodec(value: unknown, path: string, method: string): void {
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as Record<string, unknown>)[method] !== 'function'
  ) {
    throw new ZmqConfigError(
      `${path} must be an object with a ${method}() method (got ${describeValue(value)})`,
    );
  }
}

export function validateServerOptions(options: ZmqServerOptions): void {
  const path = 'ZmqServer options';
  assertPlainObject(options, path, `pass { router: { bind: 'tcp://127.0.0.1:5555' } }`);
  assertKnownKeys(options as Record<string, unknown>, SERVER_KEYS, path);
  if (!options.router && !options.pull && !options.sub) {
    throw new ZmqConfigError(
      `${path} need at least one socket: router (for @MessagePattern), pull or sub (for @EventPattern), e.g. { router: { bind: 'tcp://127.0.0.1:5555' } }`,
    );
  }
  if (options.router !== undefined) validateSocket(options.router, `${path}.router`, 'bind');
  if (options.pull !== undefined) validateSocket(options.pull, `${path}.pull`, 'bind', SEND_ONLY);
  if (options.sub !== undefined) {
    validateSocket(options.sub, `${path}.sub`, 'connect', SEND_ONLY, ['topics']);
    const topics = (options.sub as ZmqSubOptions).topics;
    if (
      topics !== undefined &&
      (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string'))
    ) {
      throw new ZmqConfigError(
        `${path}.sub.topics must be a list of topic prefixes (strings) (got ${describeValue(topics)})`,
      );
    }
  }
  validateCodec(options.serializer, `${path}.serializer`, 'serialize');
  validateCodec(options.deserializer, `${path}.deserializer`, 'deserialize');
  if (options.maxPatternBytes !== undefined) {
    assertIntOption(
      options.maxPatternBytes,
      `${path}.maxPatternBytes`,
      1,
      'the longest pattern accepted, in bytes',
      65_536,
    );
  }
  const rateLimits = options.rateLimits as { buildGate?: unknown } | undefined;
  if (rateLimits !== undefined && typeof rateLimits?.buildGate !== 'function') {
    throw new ZmqConfigError(
      `${path}.rateLimits must be a RateLimitRegistry (inject it, or import RateLimitModule.forRoot() and leave this out)`,
    );
  }
  if (options.drainTimeout !== undefined) {
    assertIntOption(
      options.drainTimeout,
      `${path}.drainTimeout`,
      0,
      'how long close() waits for in-flight handlers, in ms',
    );
  }
  if (options.curve !== undefined) validateServerCurve(options.curve, `${path}.curve`);
}

export function validateClientOptions(options: ZmqClientOptions): void {
  const path = 'ZmqClient options';
  assertPlainObject(options, path, `pass { dealer: { connect: 'tcp://127.0.0.1:5555' } }`);
  assertKnownKeys(options as Record<string, unknown>, CLIENT_KEYS, path);
  if (!options.dealer && !options.push && !options.pub) {
    throw new ZmqConfigError(
      `${path} need at least one socket: dealer (for send), push or pub (for emit), e.g. { dealer: { connect: 'tcp://127.0.0.1:5555' } }`,
    );
  }
  if (options.dealer !== undefined) validateSocket(options.dealer, `${path}.dealer`, 'connect');
  if (options.push !== undefined)
    validateSocket(options.push, `${path}.push`, 'connect', RECEIVE_ONLY);
  if (options.pub !== undefined) validateSocket(options.pub, `${path}.pub`, 'bind', RECEIVE_ONLY);
  validateCodec(options.serializer, `${path}.serializer`, 'serialize');
  validateCodec(options.deserializer, `${path}.deserializer`, 'deserialize');
  if (options.timeout !== undefined) {
    assertIntOption(
      options.timeout,
      `${path}.timeout`,
      0,
      'the default request timeout in ms (0: none)',
    );
  }
  const retry = options.retryOnRateLimit;
  if (retry !== undefined && typeof retry !== 'boolean') {
    const at = `${path}.retryOnRateLimit`;
    assertPlainObject(retry, at, 'use true, or { maxRetries, maxDelayMs }');
    assertKnownKeys(retry, ['maxRetries', 'maxDelayMs'], at);
    if (retry.maxRetries !== undefined) {
      assertIntOption(retry.maxRetries, `${at}.maxRetries`, 0, 'retries per limited request', 100);
    }
    if (retry.maxDelayMs !== undefined) {
      assertIntOption(
        retry.maxDelayMs,
        `${at}.maxDelayMs`,
        0,
        'the longest retry-after waited, in ms',
      );
    }
  }
  if (options.curve !== undefined) validateClientCurve(options.curve, `${path}.curve`);
}
