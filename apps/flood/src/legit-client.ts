import { setTimeout as sleep } from 'node:timers/promises';
import { ZmqClient } from '@sluice/zeromq';
import { firstValueFrom } from 'rxjs';
import type { LegitOptions } from './options.js';

export interface LegitReport {
  pattern: string;
  rate: number;
  sent: number;
  ok: number;
  rateLimited: number;
  failed: number;
  /** ok / sent, 0..1 (1 when nothing was sent). */
  successRate: number;
  /** Latency of the successful requests, ms. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Failures by code (TIMEOUT, CONNECTION_LOST, …). */
  errors: Record<string, number>;
}

/** Latencies kept at most; beyond that the percentiles come from the first ones. */
const MAX_SAMPLES = 1_000_000;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round(sorted[rank] * 1000) / 1000;
}

/**
 * A well-behaved user beside the attack: a real `ZmqClient` (as an application would use it)
 * sending requests to one pattern at a modest rate, each one timed. Its success rate is what
 * the server's limits are meant to protect.
 */
export class LegitClient {
  private readonly client: ZmqClient;
  private readonly latencies: number[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly errors: Record<string, number> = {};
  private running: Promise<void> | undefined;
  private stopping = false;
  sent = 0;
  ok = 0;
  rateLimited = 0;
  failed = 0;

  constructor(
    router: string,
    private readonly options: Required<LegitOptions>,
  ) {
    this.client = new ZmqClient({ dealer: { connect: router }, timeout: options.timeoutMs });
  }

  /** Connects and sends one uncounted request, so that the run does not time the handshake. */
  async start(): Promise<void> {
    await this.client.connect();
    try {
      await firstValueFrom(this.client.send(this.options.pattern, this.options.data));
    } catch {
      // The warm-up only opens the connection; its outcome is not part of the figures.
    }
  }

  /** Sends at the configured rate until `stop()` (or `until`, a performance.now() time). */
  run(until: number): void {
    const intervalMs = 1000 / this.options.rate;
    const started = performance.now();
    this.running = (async () => {
      for (let n = 0; !this.stopping && n < 100_000_000; n++) {
        const due = started + n * intervalMs;
        while (!this.stopping && performance.now() < Math.min(due, until)) {
          await sleep(Math.max(1, Math.min(50, due - performance.now())));
        }
        if (this.stopping || performance.now() >= until) return;
        const request = this.request();
        this.inFlight.add(request);
        void request.then(() => this.inFlight.delete(request));
      }
    })();
  }

  /** Stops sending, waits for the requests in flight (each bounded by its timeout), closes. */
  async stop(): Promise<LegitReport> {
    this.stopping = true;
    await this.running;
    await Promise.all(this.inFlight);
    await this.client.close();
    return this.report();
  }

  report(): LegitReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      pattern: this.options.pattern,
      rate: this.options.rate,
      sent: this.sent,
      ok: this.ok,
      rateLimited: this.rateLimited,
      failed: this.failed,
      successRate: this.sent === 0 ? 1 : this.ok / this.sent,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length === 0 ? null : Math.round(sorted[sorted.length - 1] * 1000) / 1000,
      errors: this.errors,
    };
  }

  private async request(): Promise<void> {
    this.sent++;
    const started = performance.now();
    try {
      await firstValueFrom(this.client.send(this.options.pattern, this.options.data));
      this.ok++;
      if (this.latencies.length < MAX_SAMPLES) this.latencies.push(performance.now() - started);
    } catch (error) {
      const raw = (error as { code?: unknown }).code;
      const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : 'ERROR';
      if (code === 'RATE_LIMITED') this.rateLimited++;
      else {
        this.failed++;
        this.errors[code] = (this.errors[code] ?? 0) + 1;
      }
    }
  }
}
