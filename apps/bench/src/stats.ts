/** Latency samples in microseconds, kept in a growable Float64Array (no boxing, cheap to sort). */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  add(us: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = us;
  }

  get count(): number {
    return this.size;
  }

  /** The samples so far (a copy). */
  values(): Float64Array {
    return this.samples.slice(0, this.size);
  }

  summary(): LatencySummary {
    return summarize(this.samples.subarray(0, this.size));
  }
}

export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (no interpolation: every figure is a latency that really happened). */
export function summarize(samples: Float64Array): LatencySummary {
  if (samples.length === 0) return { p50: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1],
    mean: total / sorted.length,
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** CPU time (user + system) of this process, in microseconds. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CLOCK_MONOTONIC in ms: one clock for every process on the machine, so timestamps compare. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Median of a few round results (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
