import type { Socket } from 'zeromq';
import type { ZmqSocketOptions } from '../interfaces/zmq-socket-options.interface.js';
import { SOCKET_OPTION_NAMES } from '../options/validate-socket-options.js';

/** Applies defaults then the user's socket options (already validated) to a zeromq.js socket. */
export function applySocketOptions(
  socket: Socket,
  defaults: ZmqSocketOptions,
  options: object,
): void {
  const merged: Record<string, unknown> = { ...defaults };
  for (const name of SOCKET_OPTION_NAMES) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined) merged[name] = value;
  }
  // zeromq.js defines each option on the socket types it applies to (no send HWM on a PULL);
  // validation already refused a user's inapplicable option, so this only skips defaults.
  for (const [name, value] of Object.entries(merged)) {
    if (name in socket) (socket as unknown as Record<string, unknown>)[name] = value;
  }
}

export function endpointsOf(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

/** Binds every endpoint; on failure, says which endpoint and why. */
export async function bindAll(
  socket: Socket,
  endpoints: readonly string[],
  name: string,
): Promise<void> {
  for (const endpoint of endpoints) {
    try {
      await socket.bind(endpoint);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`ZmqServer: cannot bind the ${name} socket to ${endpoint}: ${reason}`, {
        cause: error,
      });
    }
  }
}

export function connectAll(socket: Socket, endpoints: readonly string[]): void {
  for (const endpoint of endpoints) socket.connect(endpoint);
}
