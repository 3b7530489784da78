import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PendingRequests } from './pending-requests.js';
import { ZmqRequestError } from './zmq-request.error.js';

describe('PendingRequests', () => {
  it('times requests out with one sweep, oldest first, and stops sweeping when empty', async () => {
    const pending = new PendingRequests(50);
    const failed: string[] = [];
    pending.add('a', ({ err }) => failed.push(`a:${(err as ZmqRequestError).code}`));
    await sleep(30);
    pending.add('b', ({ err }) => failed.push(`b:${(err as ZmqRequestError).code}`));
    await sleep(45);
    expect(failed).toEqual(['a:TIMEOUT']);
    await sleep(60);
    expect(failed).toEqual(['a:TIMEOUT', 'b:TIMEOUT']);
    expect(pending.size).toBe(0);
  });

  it('never times out with timeout 0, and failAll reaches everyone once', () => {
    const pending = new PendingRequests(0);
    const calls: unknown[] = [];
    pending.add('x', (packet) => calls.push(packet));
    pending.add('y', (packet) => calls.push(packet));
    const error = new ZmqRequestError('CLIENT_CLOSED', 'closed');
    pending.failAll(error);
    pending.failAll(error);
    expect(calls).toEqual([
      { err: error, isDisposed: true },
      { err: error, isDisposed: true },
    ]);
  });

  it('forgets a request deleted by its subscriber', async () => {
    const pending = new PendingRequests(20);
    let called = false;
    pending.add('z', () => (called = true));
    pending.delete('z');
    await sleep(60);
    expect(called).toBe(false);
    expect(pending.get('z')).toBeUndefined();
  });
});
