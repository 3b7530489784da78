// Rates from cumulative counters: a bounded history of samples per socket or rule.
import { MIN_SPAN_S, RECENT_S, WINDOW_S } from './config.js';

/** [start, end] of the charts' time axis: the history so far, at least MIN_SPAN_S. */
export function span(history, end) {
  const first = history.samples[0]?.t ?? end;
  return [end - Math.min(WINDOW_S, Math.max(MIN_SPAN_S, end - first)), end];
}

/**
 * Cumulative counters sampled once per poll. Rates come from differences, so a missed poll
 * only widens one interval; a counter going backwards (server restart) starts afresh.
 */
export class History {
  constructor(fields) {
    this.fields = fields;
    this.samples = [];
  }

  push(t, values) {
    const last = this.samples.at(-1);
    if (last && this.fields.some((f) => values[f] < last[f])) this.samples = [];
    this.samples.push({ t, ...values });
    while (this.samples.length > 2 && t - this.samples[1].t > WINDOW_S) this.samples.shift();
  }

  /** Per-second rate of `field` over the last `seconds`. */
  rate(field, seconds = RECENT_S) {
    const s = this.samples;
    if (s.length < 2) return 0;
    const last = s.at(-1);
    let base = s[0];
    for (let i = s.length - 2; i >= 0; i--) {
      base = s[i];
      if (last.t - s[i].t >= seconds) break;
    }
    const dt = last.t - base.t;
    return dt > 0 ? Math.max(0, last[field] - base[field]) / dt : 0;
  }

  /** [times, ...per-second series], one point per poll interval, for the charts. */
  series(fields) {
    const out = [[], ...fields.map(() => [])];
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1];
      const b = this.samples[i];
      const dt = b.t - a.t;
      if (dt <= 0) continue;
      out[0].push(b.t);
      fields.forEach((f, j) => out[j + 1].push(Math.max(0, b[f] - a[f]) / dt));
    }
    return out;
  }
}
