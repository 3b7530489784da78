import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { RateLimit, RateLimitRegistry, type RateLimitRuleState } from '@sluice/rate-limit';

export interface SetLimitRequest {
  /** Rule name (e.g. 'latest-per-peer') or id (e.g. 'router|readings.latest|latest-per-peer'). */
  rule: string;
  limit: number;
  /** Window: ms or '1s', '1m'… Default: the rule's current window. */
  per?: number | string;
}

/** Rules the control channel cannot change, lest a caller lift its own limits. */
const PROTECTED_PREFIX = 'control';

/**
 * Control channel on the ROUTER: liveness, the rule list with live state, and runtime limit
 * changes. In production put it behind CURVE authentication (or a separate socket).
 */
@Controller()
export class ControlController {
  constructor(private readonly registry: RateLimitRegistry) {}

  @MessagePattern('control.ping')
  ping(): { pong: number } {
    return { pong: Date.now() };
  }

  @RateLimit({ name: 'control-read', limit: 10, per: '1s', key: 'peer' })
  @MessagePattern('control.limits')
  limits(): RateLimitRuleState[] {
    return this.registry.list();
  }

  /** Strict: a handful of changes per minute per peer. */
  @RateLimit({ name: 'control-write', limit: 5, per: '1m', key: 'peer' })
  @MessagePattern('control.set-limit')
  setLimit(@Payload() request: Partial<SetLimitRequest> | null): {
    rule: string;
    changed: number;
    rules: RateLimitRuleState[];
  } {
    const rule = request?.rule;
    const limit = request?.limit;
    const per = request?.per;
    if (
      typeof rule !== 'string' ||
      typeof limit !== 'number' ||
      (per !== undefined && typeof per !== 'number' && typeof per !== 'string')
    ) {
      throw new RpcException({
        code: 'BAD_REQUEST',
        message: "Expected { rule: string, limit: number, per?: number | '1s' }",
      });
    }
    const matches = this.registry.list().filter((r) => r.name === rule || r.id === rule);
    if (matches.some((r) => r.name.startsWith(PROTECTED_PREFIX))) {
      throw new RpcException({
        code: 'FORBIDDEN',
        message: `The control channel's own limits cannot be changed through it ('${rule}')`,
      });
    }
    let changed: number;
    try {
      changed = this.registry.setLimit(rule, limit, per);
    } catch (error) {
      throw new RpcException({
        code: matches.length === 0 ? 'UNKNOWN_RULE' : 'BAD_REQUEST',
        message: (error as Error).message,
      });
    }
    return {
      rule,
      changed,
      rules: this.registry.list().filter((r) => r.name === rule || r.id === rule),
    };
  }
}
