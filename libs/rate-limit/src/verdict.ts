import type { RateLimitAction } from './rate-limit.interfaces.js';

/**
 * Outcome of an admission. The numbers order severity, so the verdict of several denying
 * rules is simply the largest: reject > pause > drop. (Not a `const enum`: those do not
 * survive isolatedModules across packages.)
 */
export const Verdict = { Admit: 0, Drop: 1, Pause: 2, Reject: 3 } as const;
export type Verdict = 0 | 1 | 2 | 3;

export function verdictOf(action: RateLimitAction): Verdict {
  return action === 'reject' ? Verdict.Reject : action === 'pause' ? Verdict.Pause : Verdict.Drop;
}

export function actionOf(verdict: Verdict): RateLimitAction | undefined {
  return verdict === Verdict.Reject
    ? 'reject'
    : verdict === Verdict.Pause
      ? 'pause'
      : verdict === Verdict.Drop
        ? 'drop'
        : undefined;
}
