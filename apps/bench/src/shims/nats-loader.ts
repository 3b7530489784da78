/** ESM resolve hook registered by nats-alias.ts: `@nats-io/transport-node` → `nats`. */
type Next = (specifier: string, context: unknown) => Promise<unknown>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<unknown> {
  return next(specifier === '@nats-io/transport-node' ? 'nats' : specifier, context);
}
