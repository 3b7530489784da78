import {
  judgeServer,
  limitedShare,
  resolveRules,
  type SocketFacts,
} from './health-status-rules.js';

const rules = resolveRules();
const socket = (facts: Partial<SocketFacts> = {}): SocketFacts => ({
  socket: 'router',
  open: true,
  admitted: 100,
  limited: 0,
  pausedForMs: 0,
  ...facts,
});

describe('health status rules', () => {
  it('defaults: 10 s window, 20% limited share, 20 messages, 5 s pause, top 5', () => {
    expect(rules).toEqual({
      windowMs: 10_000,
      maxLimitedShare: 0.2,
      minMessages: 20,
      maxPauseMs: 5_000,
      topN: 5,
    });
  });

  it('up when listening, open, and neither throttled nor paused', () => {
    expect(judgeServer({ listening: true, sockets: [socket()] }, rules)).toEqual({
      status: 'up',
      reasons: [],
    });
  });

  it('down when the server is not listening', () => {
    expect(judgeServer({ listening: false, sockets: [socket()] }, rules)).toEqual({
      status: 'down',
      reasons: ['server is not listening'],
    });
  });

  it('down when a socket is closed under a listening server', () => {
    const verdict = judgeServer(
      { listening: true, sockets: [socket(), socket({ socket: 'pull', open: false })] },
      rules,
    );
    expect(verdict).toEqual({ status: 'down', reasons: ['socket(s) closed: pull'] });
  });

  it('degraded when more than 20% of the messages were limited over the window', () => {
    const verdict = judgeServer(
      { listening: true, sockets: [socket({ admitted: 70, limited: 30 })] },
      rules,
    );
    expect(verdict.status).toBe('degraded');
    expect(verdict.reasons).toEqual([
      'router: 30% of 100 messages limited over the last 10 s (threshold 20%)',
    ]);
  });

  it('exactly at the threshold, or with too few messages, is still up', () => {
    expect(
      judgeServer({ listening: true, sockets: [socket({ admitted: 80, limited: 20 })] }, rules)
        .status,
    ).toBe('up');
    expect(
      judgeServer({ listening: true, sockets: [socket({ admitted: 1, limited: 9 })] }, rules)
        .status,
    ).toBe('up');
  });

  it('degraded when a socket has been paused without a break longer than the bound', () => {
    const verdict = judgeServer(
      { listening: true, sockets: [socket({ socket: 'pull', pausedForMs: 6_200 })] },
      rules,
    );
    expect(verdict).toEqual({
      status: 'degraded',
      reasons: ['pull: paused for 6.2 s without a break (threshold 5 s)'],
    });
    expect(
      judgeServer({ listening: true, sockets: [socket({ pausedForMs: 4_900 })] }, rules).status,
    ).toBe('up');
  });

  it('options move the thresholds', () => {
    const strict = resolveRules({ maxLimitedShare: 0.05, minMessages: 1, maxPauseMs: 100 });
    const facts = {
      listening: true,
      sockets: [socket({ admitted: 9, limited: 1, pausedForMs: 150 })],
    };
    expect(judgeServer(facts, strict).reasons).toHaveLength(2);
  });

  it('rejects options that make no sense', () => {
    expect(() => resolveRules({ maxLimitedShare: 2 })).toThrow(/maxLimitedShare/);
    expect(() => resolveRules({ topN: 0 })).toThrow(/topN/);
    expect(() => resolveRules({ windowMs: 0 })).toThrow(/windowMs/);
  });

  it('limitedShare is 0 with no traffic', () => {
    expect(limitedShare(0, 0)).toBe(0);
    expect(limitedShare(3, 1)).toBe(0.25);
  });
});
