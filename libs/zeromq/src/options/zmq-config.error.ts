/** Thrown at start-up for an invalid option; the message names the field and the fix. */
export class ZmqConfigError extends Error {
  override readonly name = 'ZmqConfigError';
}
