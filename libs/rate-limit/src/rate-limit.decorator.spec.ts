import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import {
  RateLimit,
  SkipRateLimit,
  getRateLimitRules,
  rulesFromExtras,
} from './rate-limit.decorator.js';
import { RateLimitConfigError } from './rate-limit-config.error.js';

const extrasOf = (fn: Function) => Reflect.getMetadata(PATTERN_EXTRAS_METADATA, fn);

@Controller()
@RateLimit({ limit: 100, per: '1s', name: 'class' })
@RateLimit({ limit: 50, per: '1s', name: 'shared' })
class OrdersController {
  @MessagePattern('orders.create', { audit: true })
  @RateLimit({ limit: 5, per: '1s' })
  @RateLimit({ limit: 100, per: '1m', name: 'minute', key: 'peer' })
  create() {}

  @RateLimit({ limit: 1, per: 500, name: 'shared', action: 'drop' })
  @EventPattern('orders.created')
  created(_data: unknown) {}

  @MessagePattern('orders.health')
  @SkipRateLimit()
  health() {}

  @MessagePattern('orders.list')
  list() {}
}

describe('@RateLimit', () => {
  const proto = OrdersController.prototype;

  it('writes method rules into the pattern extras (either order), keeping other extras', () => {
    const extras = extrasOf(proto.create);
    expect(extras.audit).toBe(true);
    expect(rulesFromExtras(extras).map((r) => r.name)).toEqual([
      'shared',
      'class',
      'minute',
      'default',
    ]);
    const created = rulesFromExtras(extrasOf(proto.created));
    expect(created.find((r) => r.name === 'shared')).toMatchObject({
      limit: 1,
      per: 500,
      action: 'drop',
    });
  });

  it('leaves action undefined when not given (the transport picks it by handler kind)', () => {
    const rule = rulesFromExtras(extrasOf(proto.create)).find((r) => r.name === 'default');
    expect(rule).toEqual({ limit: 5, per: '1s', name: 'default' });
  });

  it('class rules apply to every pattern handler; method rules override by name', () => {
    // Decorators apply bottom-up, so 'shared' was declared first.
    expect(rulesFromExtras(extrasOf(proto.list)).map((r) => [r.name, r.limit])).toEqual([
      ['shared', 50],
      ['class', 100],
    ]);
    expect(
      getRateLimitRules(proto.created, OrdersController).map((r) => [r.name, r.limit]),
    ).toEqual([
      ['shared', 1],
      ['class', 100],
    ]);
    expect(getRateLimitRules(proto.create).map((r) => r.name)).toEqual(['minute', 'default']);
  });

  it('@SkipRateLimit() exempts a handler', () => {
    expect(extrasOf(proto.health).skipRateLimit).toBe(true);
    expect(rulesFromExtras(extrasOf(proto.health))).toEqual([]);
    expect(getRateLimitRules(proto.health, OrdersController)).toEqual([]);
  });

  it('@SkipRateLimit() on a class exempts every handler', () => {
    @SkipRateLimit()
    class Open {
      @MessagePattern('a')
      @RateLimit({ limit: 1, per: 1 })
      a() {}
    }
    expect(rulesFromExtras(extrasOf(Open.prototype.a))).toEqual([]);
    expect(getRateLimitRules(Open.prototype.a, Open)).toEqual([]);
  });

  it('fails at class definition with the handler named', () => {
    expect(() => {
      class Bad {
        @RateLimit({ limit: 0, per: '1s' })
        handle() {}
      }
      return Bad;
    }).toThrow(
      new RateLimitConfigError(
        "@RateLimit() on Bad.handle.limit must be a positive integer (got 0): set how many messages are allowed per 'per' window",
      ),
    );
  });

  it('rulesFromExtras tolerates missing extras', () => {
    expect(rulesFromExtras(undefined)).toEqual([]);
    expect(rulesFromExtras({})).toEqual([]);
  });
});
