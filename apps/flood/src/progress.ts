/** Updates per second at most. */
const EVERY_MS = 250;

/**
 * A one-line status on stderr, rewritten at most 4 times a second. Off when stderr is not a
 * terminal (logs, pipes, CI) or with --quiet.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private width = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  static forTerminal(quiet: boolean): Progress {
    return new Progress(!quiet && process.stderr.isTTY === true);
  }

  /** A callback for `runScenario({ onProgress })`: draws the latest line, throttled. */
  readonly update = (line: string): void => {
    if (!this.enabled) return;
    this.latest = line;
    this.timer ??= setTimeout(() => this.draw(), EVERY_MS).unref();
  };

  private latest = '';

  stop(): void {
    if (!this.enabled) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.width > 0) this.stream.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }

  private draw(): void {
    this.timer = undefined;
    const columns = this.stream.columns ?? 100;
    const line = this.latest.slice(0, Math.max(10, columns - 1));
    this.stream.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }
}
