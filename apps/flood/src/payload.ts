/** Wire constants of Sluice protocol v1 (docs/wire-protocol.md), as any client would write them. */
export const WIRE_VERSION = 1;
export const REQUEST_HEADER = Buffer.from([WIRE_VERSION, 1]);
export const EVENT_HEADER = Buffer.from([WIRE_VERSION, 2]);

/**
 * Builds attack bodies: a fixed JSON payload (`data`), or `{"n":seq,...,"pad":"xx…"}` padded
 * to about `size` bytes, so that a receiver can check order and completeness by `n`.
 */
export function bodyMaker(size: number, data: unknown): (seq: number) => string | Buffer {
  if (data !== undefined) {
    const fixed = Buffer.from(JSON.stringify(data));
    return () => fixed;
  }
  const pad = 'x'.repeat(Math.max(0, size - 48));
  return (seq) => `{"n":${seq},"sensor":"flood","value":${seq},"pad":"${pad}"}`;
}

/** Short correlation ids (base 36), unique per socket. */
export const requestId = (seq: number): string => seq.toString(36);
