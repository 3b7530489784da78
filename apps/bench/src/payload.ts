/**
 * The message every scenario sends: a small JSON object padded so that its serialized form is
 * exactly PAYLOAD_BYTES. Fixed content keeps every transport's serializer doing the same work.
 */
export const PAYLOAD_BYTES = 100;

function build(): Record<string, unknown> {
  const base = { id: 123456, user: 'bench-user', kind: 'echo', ok: true, score: 3.25, pad: '' };
  const missing = PAYLOAD_BYTES - JSON.stringify(base).length;
  if (missing < 0) throw new Error('payload base exceeds PAYLOAD_BYTES');
  return { ...base, pad: 'x'.repeat(missing) };
}

export const PAYLOAD: Readonly<Record<string, unknown>> = Object.freeze(build());
