// Number, rate, window, duration and clock formatting.

const numberFormat = new Intl.NumberFormat('en');
/** Counts: a missing or broken figure shows as a dash, never as NaN. */
export const nf = { format: (n) => (Number.isFinite(n) ? numberFormat.format(n) : '–') };

export function fmtRate(rate) {
  if (!Number.isFinite(rate) || rate <= 0) return '0';
  if (rate < 10) return rate.toFixed(1);
  return nf.format(Math.round(rate));
}

export function fmtCompact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n * 10) / 10);
}

export function fmtWindow(perMs) {
  if (perMs === 1_000) return 's';
  if (perMs === 60_000) return 'min';
  if (perMs === 3_600_000) return 'h';
  return perMs % 1_000 === 0 ? `${perMs / 1_000} s` : `${perMs} ms`;
}

export function fmtDuration(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

export const timeFmt = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
