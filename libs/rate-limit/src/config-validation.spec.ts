import { describe, expect, it } from 'vitest';
import {
  normalizeRule,
  validateRateLimitOptions,
  validateRuleForSocket,
} from './config-validation.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';
import type { RateLimitModuleOptions } from './rate-limit.interfaces.js';

const check = (o: unknown) => () => validateRateLimitOptions(o as RateLimitModuleOptions);

describe('validateRateLimitOptions', () => {
  it('accepts a full valid configuration', () => {
    expect(
      check({
        defaults: { action: 'drop', shadow: false, burst: 5 },
        sockets: {
          router: { limit: 1000, per: '1s' },
          pull: { limit: 10, per: 100, action: 'pause' },
        },
        peer: { limit: 50, per: '1s', action: 'reject' },
        patterns: {
          'orders.create': { limit: 5, per: '1m' },
          x: [{ limit: 1, per: 1, name: 'a' }],
        },
        maxKeys: 1000,
        idleEvictMs: '1m',
        shadow: true,
      }),
    ).not.toThrow();
    expect(check(undefined)).not.toThrow();
  });

  it('names the field path and the fix for a bad limit', () => {
    expect(check({ sockets: { router: { limit: -1, per: '1s' } } })).toThrow(
      "rateLimit.sockets.router.limit must be a positive integer (got -1): set how many messages are allowed per 'per' window",
    );
    expect(check({ sockets: { router: { limit: 1.5, per: '1s' } } })).toThrow(RateLimitConfigError);
  });

  it('rejects a bad duration', () => {
    expect(check({ peer: { limit: 1, per: '1 sec' } })).toThrow(
      "rateLimit.peer.per must be a positive duration like 1000, '500ms', '1s' or '1m' (got '1 sec')",
    );
  });

  it('rejects unknown keys with the list of allowed ones', () => {
    expect(check({ socket: {} })).toThrow(
      'rateLimit.socket is not a known option: use one of defaults, sockets, peer, patterns',
    );
    expect(check({ patterns: { a: { limit: 1, per: 1, brust: 3 } } })).toThrow(
      "rateLimit.patterns['a'].brust is not a known option: use one of limit, per, burst, key, action, name, shadow",
    );
    expect(check({ sockets: { dealer: { limit: 1, per: 1 } } })).toThrow(
      'rateLimit.sockets.dealer is not a known option: use one of router, pull, sub',
    );
  });

  it('rejects a bad action, key, burst or name', () => {
    expect(check({ peer: { limit: 1, per: 1, action: 'block' } })).toThrow(
      "rateLimit.peer.action must be one of drop, pause, reject (got 'block')",
    );
    expect(check({ patterns: { a: { limit: 1, per: 1, key: 'ip' } } })).toThrow(
      "rateLimit.patterns['a'].key must be pattern, peer, socket or a function (got 'ip')",
    );
    expect(check({ patterns: { a: { limit: 1, per: 1, burst: 0 } } })).toThrow(
      "rateLimit.patterns['a'].burst must be a positive integer (got 0)",
    );
    expect(check({ patterns: { a: [{ limit: 1, per: 1, name: '' }] } })).toThrow(
      "rateLimit.patterns['a'][0].name must be a non-empty string",
    );
  });

  it('rejects socket-kind mistakes found in module options', () => {
    expect(check({ peer: { limit: 1, per: 1, action: 'pause' } })).toThrow(
      "rateLimit.peer.action must not be 'pause' on a per-peer rule of the router socket (got 'pause'): pausing the socket would stall every peer: use 'drop' or 'reject'",
    );
    expect(check({ sockets: { pull: { limit: 1, per: 1, action: 'reject' } } })).toThrow(
      "rateLimit.sockets.pull.action must not be 'reject' on a pull socket (got 'reject'): event sockets have no reply path: use 'drop' or 'pause'",
    );
    expect(
      check({
        defaults: { action: 'reject' },
        sockets: { sub: { limit: 1, per: 1 } },
      }),
    ).toThrow('rateLimit.sockets.sub.action');
    expect(check({ maxKeys: 0 })).toThrow('rateLimit.maxKeys must be a positive integer (got 0)');
    expect(check({ store: {} })).toThrow('rateLimit.store must implement RateLimitStore');
  });
});

describe('validateRuleForSocket', () => {
  it('allows pause on the whole router socket, reject for requests, drop anywhere', () => {
    expect(() =>
      validateRuleForSocket({ key: 'socket', action: 'pause' }, 'router', true, 'p'),
    ).not.toThrow();
    expect(() =>
      validateRuleForSocket({ key: 'peer', action: 'reject' }, 'router', true, 'p'),
    ).not.toThrow();
    expect(() =>
      validateRuleForSocket({ key: 'peer', action: 'drop' }, 'sub', false, 'p'),
    ).not.toThrow();
  });

  it('refuses reject on an event handler', () => {
    expect(() =>
      validateRuleForSocket({ action: 'reject' }, 'router', false, "@RateLimit on 'evt'"),
    ).toThrow("@RateLimit on 'evt'.action must not be 'reject' on an event handler");
  });
});

describe('normalizeRule', () => {
  it('fills name, burst, key and shadow; leaves action to the transport', () => {
    expect(normalizeRule({ limit: 5, per: '2s' }, 'r')).toEqual({
      name: 'default',
      limit: 5,
      perMs: 2000,
      burst: 5,
      key: 'pattern',
      action: undefined,
      shadow: false,
    });
  });

  it('applies defaults', () => {
    const n = normalizeRule({ limit: 5, per: 1 }, 'r', {
      action: 'drop',
      burst: 2,
      shadow: true,
    });
    expect([n.action, n.burst, n.shadow]).toEqual(['drop', 2, true]);
  });
});
