import Module, { createRequire, register } from 'node:module';

/**
 * Nest 12's NATS transport loads `@nats-io/transport-node` (nats.js v3), which this repo does
 * not install; it does install `nats` 2.29 (nats.js v2), whose `connect`, `createInbox` and
 * `headers` (all Nest uses) have the same shape. When v3 is missing, the bench child aliases
 * the name to v2 so that Nest's own NATS transport code can still be measured. The alias
 * lives only in the bench's child processes.
 */
export const NATS_V3 = '@nats-io/transport-node';
const require = createRequire(import.meta.url);

/** Which package will serve Nest's NATS transport, or undefined when neither is installed. */
export function natsClientPackage(): string | undefined {
  for (const name of [NATS_V3, 'nats']) {
    try {
      require.resolve(name);
      return name;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

let installed = false;

export function installNatsAlias(): void {
  if (installed || natsClientPackage() !== 'nats') return;
  installed = true;
  const target = require.resolve('nats');
  // CommonJS: Nest's ClientNats loads the package with createRequire(import.meta.url)(name).
  const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return original.call(this, request === NATS_V3 ? target : request, ...rest);
  };
  // ESM: Nest's ServerNats loads it with import(name).
  register(new URL('./nats-loader.js', import.meta.url));
}
