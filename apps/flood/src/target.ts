import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class UnsafeTargetError extends Error {
  override readonly name = 'UnsafeTargetError';
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return address.startsWith('127.');
  if (family === 6) {
    const lower = address.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}

/** The host a ZeroMQ connect endpoint dials (`tcp://[src;]host:port`, `ws://host:port/path`). */
export function hostOf(endpoint: string): { transport: string; host: string | undefined } {
  const match = /^([a-z0-9+]+):\/\/(.*)$/i.exec(endpoint);
  if (match === null) throw new UnsafeTargetError(`'${endpoint}' is not a ZeroMQ endpoint`);
  const transport = match[1].toLowerCase();
  if (transport === 'ipc' || transport === 'inproc') return { transport, host: undefined };
  // ZeroMQ accepts `tcp://source;destination`: only the destination is dialled.
  let rest = match[2];
  const semicolon = rest.lastIndexOf(';');
  if (semicolon >= 0) rest = rest.slice(semicolon + 1);
  rest = rest.replace(/\/.*$/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(rest);
  if (bracketed) return { transport, host: bracketed[1] };
  const colon = rest.lastIndexOf(':');
  return { transport, host: colon >= 0 ? rest.slice(0, colon) : rest };
}

/**
 * Refuses any endpoint outside this machine unless `allowRemote`: ipc and inproc are local by
 * nature; a tcp (or ws) host must resolve only to loopback addresses. Resolving catches names
 * such as `localhost` and refuses a name that also resolves elsewhere.
 */
export async function checkTarget(endpoint: string, allowRemote: boolean): Promise<void> {
  const { transport, host } = hostOf(endpoint);
  if (host === undefined || allowRemote) return;
  if (!['tcp', 'ws', 'wss'].includes(transport)) {
    throw new UnsafeTargetError(
      `Refusing ${endpoint}: only ipc://, inproc:// and loopback tcp:// targets are allowed without --allow-remote`,
    );
  }
  if (host === '' || host === '*') {
    throw new UnsafeTargetError(`Refusing ${endpoint}: no host to connect to`);
  }
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
      throw new UnsafeTargetError(
        `Refusing ${endpoint}: cannot resolve '${host}' (${String(error)})`,
      );
    }
  }
  const outside = addresses.filter((address) => !isLoopbackAddress(address));
  if (addresses.length === 0 || outside.length > 0) {
    throw new UnsafeTargetError(
      `Refusing ${endpoint}: '${host}' resolves to ${outside.join(', ') || 'nothing'}, not loopback. ` +
        'The flood tool attacks loopback or ipc endpoints only; pass --allow-remote for a host you own.',
    );
  }
}
