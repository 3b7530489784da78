import type { Outcome } from '../runner.js';
import type { Figures, RunConfig } from '../scenario.js';
import { median } from '../stats.js';

/**
 * What the rate-limit scenarios share: a limit no benchmark reaches ("rules on, not limiting")
 * and the A/B interleaving that keeps a noisy machine from favouring one side.
 */
export const HUGE_LIMIT = 1_000_000_000;

/** A rule that never limits at benchmark rates. */
export const HUGE_RULE = { limit: HUGE_LIMIT, per: '1s' } as const;

/** Measured rounds per side: each side's figure is the median over them. */
export function roundsFor(config: RunConfig & { quick: boolean }): number {
  return config.quick ? 3 : 5;
}

/**
 * Runs every side once per round, `rounds` times, the first side rotating from one round to
 * the next (two sides: A B, B A, A B, …), so that a drift in machine load favours none.
 * Returns each side's results in round order.
 */
export async function interleave<T>(
  rounds: number,
  sides: ReadonlyArray<() => Promise<T>>,
): Promise<T[][]> {
  const out = sides.map((): T[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < sides.length; j++) {
      const i = (round + j) % sides.length;
      out[i].push(await sides[i]());
    }
  }
  return out;
}

/** `12,345 / 13,001 / …` for a note listing every round. */
export function listRounds(values: readonly number[], digits = 0): string {
  return values
    .map((v) =>
      v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }),
    )
    .join(' / ');
}

/** Figure by figure, the median over rounds (a figure missing from any round stays null). */
export function medianFigures(rounds: readonly Outcome[]): Partial<Figures> {
  const out: Partial<Figures> = {};
  const keys = new Set(rounds.flatMap((r) => Object.keys(r.figures))) as Set<keyof Figures>;
  for (const key of keys) {
    const values = rounds.map((r) => r.figures[key]);
    out[key] = values.every((v): v is number => typeof v === 'number') ? median(values) : null;
  }
  return out;
}

/** The rounds' own notes (errors), deduplicated. */
export function roundNotes(rounds: readonly Outcome[]): string[] {
  return [...new Set(rounds.map((r) => r.note).filter((n): n is string => n !== undefined))];
}
