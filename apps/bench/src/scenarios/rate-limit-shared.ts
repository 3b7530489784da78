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
 * Runs `a` and `b` alternately, `rounds` times each, in the order A B, B A, A B, … (each side
 * leads as often as the other, so a drift in machine load does not favour either).
 */
export async function interleave<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
): Promise<[T[], T[]]> {
  const as: T[] = [];
  const bs: T[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [as, bs];
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
