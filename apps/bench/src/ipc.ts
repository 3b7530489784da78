import { type ChildProcess, fork } from 'node:child_process';

/**
 * Request/response over the fork IPC channel. Every call has a timeout and every child is
 * tracked, so the orchestrator can always kill what it started: nothing here can hang.
 */
export type Command = { cmd: string } & Record<string, unknown>;
type Reply = { seq: number; ok: boolean; error?: string } & Record<string, unknown>;
export type Handlers = Record<string, (command: Command) => Promise<object>>;

const live = new Set<ChildLink>();

/** Kills every child still running (global timeout, Ctrl-C, fatal error). */
export function killAllChildren(): void {
  for (const link of live) link.kill();
}

export class ChildLink {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (error: Error) => void }
  >();
  private readonly readyPromise: Promise<void>;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    live.add(this);
    let onReady!: () => void;
    let onFatal!: (error: Error) => void;
    this.readyPromise = new Promise((resolve, reject) => ((onReady = resolve), (onFatal = reject)));
    this.readyPromise.catch(() => undefined); // observed by ready(); never an unhandled rejection
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(this);
        const error = new Error(`${name} exited (${signal ?? code})`);
        onFatal(error);
        for (const { reject } of this.waiting.values()) reject(error);
        this.waiting.clear();
        resolve(code);
      });
    });
    child.on('message', (message: Reply & { type?: string }) => {
      if (message.type === 'ready') return onReady();
      if (message.type === 'fatal') return onFatal(new Error(`${name}: ${String(message.error)}`));
      const waiter = this.waiting.get(message.seq);
      this.waiting.delete(message.seq);
      if (message.ok) waiter?.resolve(message);
      else waiter?.reject(new Error(`${name}: ${message.error}`));
    });
  }

  static fork(script: string, args: string[], name: string, execArgv: string[] = []): ChildLink {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    return new ChildLink(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  ready(timeoutMs: number): Promise<void> {
    return withTimeout(
      this.readyPromise,
      timeoutMs,
      `${this.name} not ready within ${timeoutMs} ms`,
    );
  }

  call<T extends object>(command: Command, timeoutMs: number): Promise<T & Reply> {
    const seq = ++this.seq;
    const reply = new Promise<Reply>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.child.send({ ...command, seq }, (error) => error && reject(error));
    });
    return withTimeout(
      reply,
      timeoutMs,
      `${this.name}: '${command.cmd}' got no reply within ${timeoutMs} ms`,
    ).finally(() => this.waiting.delete(seq)) as Promise<T & Reply>;
  }

  /** Asks the child to close and exit (so --cpu-prof can write its profile), then kills it. */
  async stop(graceMs = 3_000): Promise<void> {
    if (!live.has(this)) return;
    if (this.child.connected) this.child.send({ cmd: 'exit', seq: 0 }, () => undefined);
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Child side: answers the orchestrator's commands; 'exit' closes then exits. */
export function serveCommands(handlers: Handlers, close: () => Promise<void>): void {
  process.on('message', (command: Command & { seq: number }) => {
    if (command.cmd === 'exit') {
      void close()
        .catch(() => undefined)
        .finally(() => process.exit(0));
      return;
    }
    const handler = handlers[command.cmd];
    const run = handler
      ? handler(command)
      : Promise.reject(new Error(`unknown command ${command.cmd}`));
    run.then(
      (result) => process.send?.({ ...result, seq: command.seq, ok: true }),
      (error: unknown) => process.send?.({ seq: command.seq, ok: false, error: String(error) }),
    );
  });
  process.send?.({ type: 'ready' });
}
