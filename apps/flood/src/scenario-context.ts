import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { type Context, Dealer, Push } from 'zeromq';
import { countReply, type Counters } from './counters.js';
import type { ResolvedOptions } from './options.js';

/** What a scenario gets: options, counters, its own ZeroMQ context and the stop condition. */
export interface ScenarioContext {
  readonly options: ResolvedOptions;
  readonly counters: Counters;
  /** The attack stops at this `performance.now()`; reply grace comes after it. */
  readonly deadline: number;
  /** A context of the tool's own, sized for the sockets the scenario opens. */
  readonly zmq: Context;
  /** Remarks that end up in the report. */
  readonly notes: string[];
  /** True once the deadline passed or the run was aborted. */
  stopped(): boolean;
  /** True once the run was aborted (Ctrl-C, caller's signal, hard timeout). */
  aborted(): boolean;
}

export type Scenario = (ctx: ScenarioContext) => Promise<void>;

/** The longest single sleep: keeps every wait responsive to the deadline and to aborts. */
const TICK_MS = 50;
/** A send that ZeroMQ queues at once resolves without a macrotask: give the loop a turn this often. */
const YIELD_EVERY_MS = 5;

/** A DEALER with the tool's attack settings (HWM, send timeout, linger). */
export function attackDealer(ctx: ScenarioContext, routingId?: string): Dealer {
  const { hwm, sendTimeoutMs, lingerMs } = ctx.options;
  ctx.counters.socketsOpened++;
  return new Dealer({
    context: ctx.zmq,
    ...(routingId === undefined ? {} : { routingId }),
    sendHighWaterMark: hwm,
    receiveHighWaterMark: hwm,
    sendTimeout: sendTimeoutMs,
    linger: lingerMs,
  });
}

export function attackPush(ctx: ScenarioContext): Push {
  const { hwm, sendTimeoutMs, lingerMs } = ctx.options;
  ctx.counters.socketsOpened++;
  return new Push({
    context: ctx.zmq,
    sendHighWaterMark: hwm,
    sendTimeout: sendTimeoutMs,
    linger: lingerMs,
  });
}

/**
 * Calls `send(seq)` for seq = 0, 1, … until `limit` messages, the deadline or an abort, paced
 * at `options.rate` per second (0: as fast as the socket takes them). A send that fails is
 * counted (EAGAIN at the HWM as `blocked`) and the loop goes on.
 */
export async function sendLoop(
  ctx: ScenarioContext,
  send: (seq: number) => Promise<void>,
  limit = ctx.options.count,
): Promise<void> {
  const { rate } = ctx.options;
  const counters = ctx.counters;
  const started = performance.now();
  let yielded = started;
  for (let seq = 0; seq < limit && !ctx.stopped(); seq++) {
    if (rate > 0) await paceTo(ctx, started + (seq * 1000) / rate);
    yielded = await fairShare(yielded);
    if (ctx.stopped()) break;
    try {
      await send(seq);
      counters.sent++;
    } catch (error) {
      counters.sendFailed(error);
    }
  }
  counters.sendingEndedAt = performance.now();
}

/**
 * Lets timers and I/O run (the legit client, the progress line, an in-process server) when
 * the loop has not yielded for a few ms. Returns the time of the last yield.
 */
export async function fairShare(lastYield: number): Promise<number> {
  const now = performance.now();
  if (now - lastYield < YIELD_EVERY_MS) return lastYield;
  await yieldToLoop();
  return performance.now();
}

/** Sleeps until `due` (a performance.now() time), in ticks, never past the deadline. */
export async function paceTo(ctx: ScenarioContext, due: number): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    const ahead = Math.min(due, ctx.deadline) - performance.now();
    if (ahead < 1 || ctx.aborted()) return;
    await sleep(Math.min(ahead, TICK_MS));
  }
}

/** Polls `done` every few ms for at most `maxMs` (and never after an abort). */
export async function waitUntil(
  ctx: ScenarioContext,
  done: () => boolean,
  maxMs: number,
): Promise<boolean> {
  const until = performance.now() + maxMs;
  while (!done()) {
    if (performance.now() >= until || ctx.aborted()) return false;
    await sleep(5);
  }
  return true;
}

/** The reader of an attack DEALER: counts every reply until the socket closes. */
export async function readReplies(
  socket: Dealer,
  counters: Counters,
  onTerminal?: (id: string) => void,
): Promise<void> {
  while (!socket.closed) {
    let frames: Buffer[];
    try {
      frames = await socket.receive();
    } catch {
      if (socket.closed) return;
      continue;
    }
    const id = countReply(counters, frames);
    if (id !== undefined) onTerminal?.(id);
  }
}

/** Waits for the replies owed (bounded by `graceMs`), then closes the sockets. */
export async function settle(
  ctx: ScenarioContext,
  sockets: Array<{ close(): void; closed: boolean }>,
  owed: () => number,
): Promise<void> {
  await waitUntil(ctx, () => ctx.counters.terminalReplies >= owed(), ctx.options.graceMs);
  for (const socket of sockets) if (!socket.closed) socket.close();
}
