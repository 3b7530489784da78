import type { RateLimitModuleOptions } from '@sluice/rate-limit';
import { DEFAULT_LIMITS, type DemoLimits } from './demo.config.js';

/**
 * Module-level limits: socket budgets, a per-peer budget on the ROUTER, and pattern budgets
 * kept out of handler code. Handler rules (`@RateLimit`) sit next to their handlers.
 *
 * - PULL: pause, so a flood slows the PUSH senders down (HWM and TCP back-pressure) and no
 *   reading is lost.
 * - ROUTER: reject, so a caller learns `RATE_LIMITED` with `retryAfterMs` and backs off.
 * - `readings.stats` scans every sensor: one shared budget for all callers.
 */
export function demoRateLimits(limits: DemoLimits = DEFAULT_LIMITS): RateLimitModuleOptions {
  const perSecond = (limit: number) => ({
    limit,
    per: '1s',
    burst: Math.max(1, Math.ceil(limit / 4)),
  });
  return {
    sockets: {
      router: { ...perSecond(limits.routerPerSecond), name: 'router', action: 'reject' },
      pull: { ...perSecond(limits.pullPerSecond), name: 'pull', action: 'pause' },
    },
    peer: { ...perSecond(limits.peerPerSecond), name: 'peer', action: 'reject' },
    patterns: {
      'readings.stats': { name: 'stats', limit: 50, per: '1s', burst: 10, key: 'pattern' },
    },
    // Peers come and go: forget an idle peer's bucket after a minute.
    idleEvictMs: '1m',
  };
}
