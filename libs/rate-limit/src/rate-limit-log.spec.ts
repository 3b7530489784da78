import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRule } from './compiled-rule.js';
import { buildAdmissionGate } from './gate-builder.js';
import { MemoryStore } from './memory.store.js';
import { RateLimitLog } from './rate-limit-log.js';
import { Verdict } from './verdict.js';

/** A real LoggerService that keeps what it is given. */
class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: unknown }[] = [];
  log(message: string, context?: unknown) {
    this.lines.push({ level: 'log', message, context });
  }
  error(message: string, context?: unknown) {
    this.lines.push({ level: 'error', message, context });
  }
  warn(message: string, context?: unknown) {
    this.lines.push({ level: 'warn', message, context });
  }
  get messages(): string[] {
    return this.lines.map((l) => l.message);
  }
}

const at = (now: number) => new Date(performance.timeOrigin + now).toISOString();
const countOf = (line: string) => Number(/ count=(\d+)/.exec(line)![1]);
const LINE =
  /^rate limited: socket=router rule=peer limit=5\/1s burst=5 action=reject peer=peer-\d+ count=\d+( in [\d.]+m?s)? at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('RateLimitLog', () => {
  const logs: RateLimitLog[] = [];
  afterEach(() => {
    for (const log of logs.splice(0)) log.close();
  });
  const newLog = (...args: ConstructorParameters<typeof RateLimitLog>) => {
    const log = new RateLimitLog(...args);
    logs.push(log);
    return log;
  };

  it('turns a flood of 1 000 000 limited messages into first lines plus one summary per key per interval', () => {
    const logger = new RecordingLogger();
    const log = newLog(logger, { intervalMs: 10_000 });
    const gate = buildAdmissionGate({
      socket: 'router',
      socketKind: 'router',
      options: { peer: { limit: 5, per: '1s' } },
      handlers: [],
      store: new MemoryStore(),
    });
    const peers = Array.from({ length: 100 }, (_, i) => `peer-${i}`);
    // 1 000 000 messages from 100 peers over 60 s of gate time: 166/s per peer against 5/s.
    const messages = 1_000_000;
    const stepMs = 60_000 / messages;
    for (let i = 0; i < messages; i++) {
      const now = i * stepMs;
      const peer = peers[i % peers.length];
      const verdict = gate.admit('orders.create', peer, now);
      if (verdict !== Verdict.Admit) log.limited('router', gate.rule!, 'reject', peer, now);
    }
    const limited = gate.socketRules[0].rejected;
    expect(limited).toBeGreaterThan(950_000);
    // Per key: its first line, then one summary each time 10 s have passed (~10, 20, 30, 40 and
    // 50 s: 60 s of flood hold 5 whole intervals after the first line), nothing else until close.
    expect(logger.lines).toHaveLength(peers.length * (1 + 5));
    log.close(60_000);
    // close() writes each key's pending count: one more line per key.
    expect(logger.lines).toHaveLength(peers.length * (1 + 5 + 1));
    // Nothing is lost: the counts add up to every limited message.
    expect(logger.messages.reduce((sum, line) => sum + countOf(line), 0)).toBe(limited);
    for (const { level, message } of logger.lines) {
      expect(level).toBe('warn');
      expect(message).toMatch(LINE);
    }
    const peer7 = logger.messages.filter((m) => m.includes(' peer=peer-7 '));
    expect(peer7).toHaveLength(7);
    expect(countOf(peer7[0])).toBe(1);
    expect(peer7[0]).not.toContain(' in ');
    for (const line of peer7.slice(1, 6)) expect(line).toContain(' in 10s ');
    expect(log.keys).toBe(0);
  });

  it('writes the first event at once, then the count since the last line when the key occurs after the interval', () => {
    const logger = new RecordingLogger();
    const log = newLog(logger, { intervalMs: 10_000 });
    const rule = compileRule(
      { name: 'quota', limit: 5, per: '60s', burst: 10, action: 'reject' },
      { socket: 'router', pattern: 'orders.create' },
    );
    log.limited('router', rule, 'reject', 'ab12', 1_000);
    expect(logger.messages).toEqual([
      `rate limited: socket=router rule=quota pattern=orders.create limit=5/60s burst=10 action=reject peer=ab12 count=1 at=${at(1_000)}`,
    ]);
    for (let t = 1_001; t < 11_000; t++) log.limited('router', rule, 'reject', 'ab12', t);
    expect(logger.lines).toHaveLength(1);
    // The first event after the interval writes the summary, itself included.
    log.limited('router', rule, 'drop', 'ab12', 11_000);
    expect(logger.messages[1]).toBe(
      `rate limited: socket=router rule=quota pattern=orders.create limit=5/60s burst=10 action=drop peer=ab12 count=10000 in 10s at=${at(11_000)}`,
    );
  });

  it('flush writes the final summary of a key that stopped, then forgets it', () => {
    const logger = new RecordingLogger();
    const log = newLog(logger, { intervalMs: 10_000 });
    const rule = compileRule({ limit: 1, per: '1s', key: 'socket' }, { socket: 'pull' });
    log.limited('pull', rule, 'drop', undefined, 0);
    log.limited('pull', rule, 'drop', undefined, 1);
    log.limited('pull', rule, 'drop', undefined, 2);
    log.flush(9_999);
    expect(logger.lines).toHaveLength(1);
    log.flush(10_000);
    expect(logger.messages[1]).toBe(
      `rate limited: socket=pull rule=default limit=1/1s burst=1 action=drop peer=- count=2 in 10s at=${at(2)}`,
    );
    expect(log.keys).toBe(1);
    // Idle for a whole interval after its last line: forgotten, no line.
    log.flush(20_000);
    expect(log.keys).toBe(0);
    expect(logger.lines).toHaveLength(2);
    // Coming back is a first event again.
    log.limited('pull', rule, 'drop', undefined, 30_000);
    expect(logger.messages[2]).toMatch(/ count=1 at=/);
  });

  it('bounds key memory: past maxKeys, new peers share one (other) key per rule', () => {
    const logger = new RecordingLogger();
    const log = newLog(logger, { intervalMs: 10_000, maxKeys: 10 });
    const rule = compileRule({ name: 'peer', limit: 1, per: '1s', key: 'peer' }, { socket: 'r' });
    for (let i = 0; i < 1_000; i++) log.limited('r', rule, 'reject', `p${i}`, i);
    expect(log.keys).toBe(11);
    // 10 first lines, then the first line of the aggregate.
    expect(logger.lines).toHaveLength(11);
    expect(logger.messages[10]).toContain(' peer=(other) count=1 ');
    log.close(1_000);
    expect(logger.lines).toHaveLength(12);
    expect(logger.messages[11]).toContain(' peer=(other) count=989 in 990ms ');
    expect(logger.messages.reduce((sum, line) => sum + countOf(line), 0)).toBe(1_000);
  });

  it('quotes values that would break key=value parsing', () => {
    const logger = new RecordingLogger();
    const log = newLog(logger);
    const rule = compileRule({ name: 'two words', limit: 2, per: 500 }, { socket: 'router' });
    log.limited('router', rule, 'reject', 'a b=c', 0);
    expect(logger.messages[0]).toContain(
      'rule="two words" limit=2/500ms burst=2 action=reject peer="a b=c" count=1',
    );
  });

  it('the flush timer writes the last summary with real time and stops once every key is gone', async () => {
    const logger = new RecordingLogger();
    const log = newLog(logger, { intervalMs: 50 });
    const rule = compileRule({ name: 'peer', limit: 1, per: '1s' }, { socket: 'router' });
    log.limited('router', rule, 'reject', 'p1');
    log.limited('router', rule, 'reject', 'p1');
    log.limited('router', rule, 'reject', 'p1');
    expect(logger.lines).toHaveLength(1);
    await sleep(130);
    expect(logger.messages[1]).toMatch(/ peer=p1 count=2 in \d+ms at=/);
    await sleep(120);
    expect(log.keys).toBe(0);
    expect(logger.lines).toHaveLength(2);
  });

  it('logs through Nest’s Logger with the RateLimit context by default', () => {
    const recorder = new RecordingLogger();
    Logger.overrideLogger(recorder);
    try {
      const log = newLog();
      const rule = compileRule({ name: 'peer', limit: 1, per: '1s' }, { socket: 'router' });
      log.limited('router', rule, 'reject', 'p1', 0);
      expect(recorder.lines).toEqual([
        expect.objectContaining({ level: 'warn', context: 'RateLimit' }),
      ]);
      expect(recorder.messages[0]).toMatch(/^rate limited: socket=router rule=peer /);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });

  it('rejects invalid options', () => {
    expect(() => new RateLimitLog(new RecordingLogger(), { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new RateLimitLog(new RecordingLogger(), { maxKeys: 1.5 })).toThrow(/maxKeys/);
  });
});
