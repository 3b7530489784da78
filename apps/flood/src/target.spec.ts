import { describe, expect, it } from 'vitest';
import { checkTarget, hostOf, isLoopbackAddress } from './target.js';

describe('flood target check', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(a)).toBe(true);
    }
    for (const a of ['10.0.0.1', '128.0.0.1', '::', '::ffff:10.0.0.1', 'localhost']) {
      expect(isLoopbackAddress(a)).toBe(false);
    }
  });

  it('reads the dialled host, including tcp://source;destination', () => {
    expect(hostOf('tcp://127.0.0.1:5555')).toEqual({ transport: 'tcp', host: '127.0.0.1' });
    expect(hostOf('tcp://[::1]:5555')).toEqual({ transport: 'tcp', host: '::1' });
    expect(hostOf('tcp://127.0.0.1:0;10.1.2.3:5555')).toEqual({
      transport: 'tcp',
      host: '10.1.2.3',
    });
    expect(hostOf('ipc:///tmp/x.sock').host).toBeUndefined();
  });

  it('accepts loopback and ipc, refuses anything else unless allowed', async () => {
    await expect(checkTarget('tcp://127.0.0.1:5555', false)).resolves.toBeUndefined();
    await expect(checkTarget('tcp://localhost:5555', false)).resolves.toBeUndefined();
    await expect(checkTarget('tcp://[::1]:5555', false)).resolves.toBeUndefined();
    await expect(checkTarget('ipc:///tmp/sluice.sock', false)).resolves.toBeUndefined();
    await expect(checkTarget('tcp://10.0.0.1:5555', false)).rejects.toThrow(/not loopback/);
    await expect(checkTarget('tcp://127.0.0.1:0;10.0.0.1:5555', false)).rejects.toThrow(
      /not loopback/,
    );
    await expect(checkTarget('tcp://*:5555', false)).rejects.toThrow(/no host/);
    await expect(checkTarget('pgm://eth0;239.192.1.1:5555', false)).rejects.toThrow(/only ipc/);
    await expect(checkTarget('tcp://10.0.0.1:5555', true)).resolves.toBeUndefined();
  });
});
