import { describeValue } from '@sluice/rate-limit';
import type { ZmqSocketOptions } from '../interfaces/zmq-socket-options.interface.js';
import { ZmqConfigError } from './zmq-config.error.js';

type Rule =
  { type: 'int'; min: number; max?: number; means: string } | { type: 'bool'; means: string };

/** What each socket option must be, and what it means (quoted in the error). */
const SOCKET_OPTION_RULES: Record<keyof ZmqSocketOptions, Rule> = {
  sendHighWaterMark: {
    type: 'int',
    min: 0,
    means: 'messages queued per peer for sending (0: no limit)',
  },
  receiveHighWaterMark: {
    type: 'int',
    min: 0,
    means: 'messages queued per peer for receiving (0: no limit)',
  },
  sendTimeout: {
    type: 'int',
    min: -1,
    means: 'ms a send may wait at the HWM (-1: forever)',
  },
  maxMessageSize: {
    type: 'int',
    min: -1,
    means: 'largest accepted message in bytes (-1: no limit)',
  },
  heartbeatInterval: {
    type: 'int',
    min: 0,
    means: 'ms between heartbeats (0: off)',
  },
  heartbeatTimeToLive: {
    type: 'int',
    min: 0,
    max: 6_553_599,
    means: 'heartbeat TTL in ms',
  },
  heartbeatTimeout: {
    type: 'int',
    min: 0,
    means: 'ms to wait for a heartbeat reply',
  },
  handshakeInterval: {
    type: 'int',
    min: 0,
    means: 'ms a handshake may take (0: no limit)',
  },
  linger: {
    type: 'int',
    min: -1,
    means: 'ms unsent messages are kept after close (-1: forever)',
  },
  reconnectInterval: {
    type: 'int',
    min: -1,
    means: 'ms before the first reconnect (-1: never)',
  },
  reconnectMaxInterval: {
    type: 'int',
    min: 0,
    means: 'upper bound of the reconnect backoff in ms',
  },
  immediate: { type: 'bool', means: 'queue only to completed connections' },
  backlog: { type: 'int', min: 0, means: 'pending tcp connections' },
};

const ENDPOINT = /^(tcp:\/\/.+:(\d+|\*)|ipc:\/\/.+|inproc:\/\/.+)$/;

export function assertPlainObject(
  value: unknown,
  path: string,
  hint: string,
): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ZmqConfigError(`${path} must be an object (got ${describeValue(value)}): ${hint}`);
  }
}

export function assertKnownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ZmqConfigError(`${path}.${key} is not an option; allowed: ${allowed.join(', ')}`);
    }
  }
}

export function assertIntOption(
  value: unknown,
  path: string,
  min: number,
  means: string,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new ZmqConfigError(
      `${path} must be ${range} (got ${describeValue(value)}): it is ${means}`,
    );
  }
}

/** Validates endpoints, returning them as an array. */
export function validateEndpoints(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ZmqConfigError(
      `${path} must be an endpoint or a non-empty list of them, like 'tcp://127.0.0.1:5555' or 'ipc:///tmp/sluice.sock' (got ${describeValue(value)})`,
    );
  }
  for (const endpoint of list) {
    if (typeof endpoint !== 'string' || !ENDPOINT.test(endpoint)) {
      throw new ZmqConfigError(
        `${path} has an invalid endpoint ${describeValue(endpoint)}: use tcp://HOST:PORT, ipc://PATH or inproc://NAME`,
      );
    }
  }
  return list as string[];
}

/** Validates the ZeroMQ socket options of `value` (and only those: the caller lists its own keys). */
export function validateSocketOptions(value: Record<string, unknown>, path: string): void {
  for (const [name, rule] of Object.entries(SOCKET_OPTION_RULES)) {
    const option = value[name];
    if (option === undefined) continue;
    if (rule.type === 'bool') {
      if (typeof option !== 'boolean') {
        throw new ZmqConfigError(
          `${path}.${name} must be true or false (got ${describeValue(option)}): ${rule.means}`,
        );
      }
    } else {
      assertIntOption(option, `${path}.${name}`, rule.min, rule.means, rule.max);
    }
  }
}

export const SOCKET_OPTION_NAMES = Object.keys(SOCKET_OPTION_RULES);
