/**
 * GCRA, the generic cell rate algorithm (virtual scheduling form), as used by ATM and
 * redis-cell. A key's whole state is one number: its theoretical arrival time (TAT).
 *
 *   T   = per / limit          emission interval: the spacing of the sustained rate
 *   tau = T * (burst - 1)      tolerance: how far ahead of the schedule a message may be
 *
 * A message arriving at `now` conforms when `now >= TAT - tau`; then
 * `TAT = max(TAT, now) + T`. Otherwise it must wait `TAT - tau - now` and TAT is unchanged.
 * A fresh key (or one whose TAT is in the past) admits `burst` messages at once, and a run
 * of length t starting full admits `burst + floor(t / T)` = burst + t * limit / per.
 * No timer is needed: time only enters through `now` at each decision.
 */
import { TIME_EPSILON_MS } from './rate-limit.constants.js';

export function emissionInterval(limit: number, perMs: number): number {
  return perMs / limit;
}

export function tolerance(emissionMs: number, burst: number): number {
  return emissionMs * (burst - 1);
}

/**
 * Wait in ms before a message may conform (0: it conforms now). A fresh key is
 * `undefined` or `-Infinity` (the hot path uses the latter to keep doubles unboxed).
 */
export function gcraWait(tat: number | undefined, now: number, toleranceMs: number): number {
  if (tat === undefined) return 0;
  const wait = tat - toleranceMs - now;
  // The epsilon keeps 1000/3 ms steps from losing a slot to rounding.
  return wait > TIME_EPSILON_MS ? wait : 0;
}

/** TAT after admitting one message at `now`. */
export function gcraNextTat(tat: number | undefined, now: number, emissionMs: number): number {
  return (tat === undefined || tat < now ? now : tat) + emissionMs;
}
