import { setTimeout as sleep } from 'node:timers/promises';

/** Handlers started and not yet settled, so that shutdown can wait for them, bounded. */
export class InFlight {
  count = 0;
  private onIdle: (() => void) | undefined;

  start(): void {
    this.count++;
  }

  settle(): void {
    this.count--;
    if (this.count === 0) this.onIdle?.();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`, whichever comes first. */
  async idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return;
    const idle = new Promise<void>((resolve) => (this.onIdle = resolve));
    await Promise.race([idle, sleep(timeoutMs, undefined, { ref: false })]);
  }
}
