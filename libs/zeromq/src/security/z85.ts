/**
 * Z85 (ZeroMQ RFC 32), the text form of CURVE keys: 32 bytes ⇄ 40 characters. Small enough to
 * keep here, so that keys are checked (and ZAP credentials encoded) without a native call.
 */
const ALPHABET =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Length of a CURVE key in Z85. */
export const Z85_KEY_LENGTH = 40;

export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new RangeError('Z85 encodes a multiple of 4 bytes');
  let text = '';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset < bytes.length; offset += 4) {
    let value = view.getUint32(offset);
    let chunk = '';
    for (let i = 0; i < 5; i++) {
      chunk = ALPHABET[value % 85] + chunk;
      value = Math.floor(value / 85);
    }
    text += chunk;
  }
  return text;
}

/** Decodes Z85 text, or returns undefined when it is not valid Z85 (never throws). */
export function z85Decode(text: string): Buffer | undefined {
  if (text.length % 5 !== 0) return undefined;
  const bytes = Buffer.alloc((text.length / 5) * 4);
  for (let offset = 0; offset < text.length; offset += 5) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const code = text.charCodeAt(offset + i);
      const digit = code < 128 ? DECODE[code] : -1;
      if (digit < 0) return undefined;
      value = value * 85 + digit;
    }
    if (value > 0xffff_ffff) return undefined;
    bytes.writeUInt32BE(value, (offset / 5) * 4);
  }
  return bytes;
}

/** True for a 40-character Z85 string that decodes to a 32-byte key. */
export function isZ85Key(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length === Z85_KEY_LENGTH && z85Decode(value) !== undefined
  );
}
