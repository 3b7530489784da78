import { firstValueFrom, type Observable } from 'rxjs';

export type Outcome = { ok: unknown } | { code: string; retryAfterMs?: number };

/** Runs a request and tells its outcome: the value, or the error code (RATE_LIMITED…). */
export async function outcome(reply: Observable<unknown>): Promise<Outcome> {
  try {
    return { ok: await firstValueFrom(reply) };
  } catch (error) {
    const { code, retryAfterMs } = error as { code?: string; retryAfterMs?: number };
    return { code: code ?? String(error), retryAfterMs };
  }
}

export function countOutcomes(outcomes: Outcome[]): { ok: number; limited: number; other: number } {
  let ok = 0;
  let limited = 0;
  for (const o of outcomes) {
    if ('ok' in o) ok++;
    else if (o.code === 'RATE_LIMITED') limited++;
  }
  return { ok, limited, other: outcomes.length - ok - limited };
}
