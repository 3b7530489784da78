/**
 * CURVE (ZeroMQ RFC 26) options. Keys are 40-character Z85 strings, as `writeKeyPair()` and
 * zeromq's `curveKeyPair()` make them; a `*File` option names a file holding one key (lines
 * starting with `#` and blank lines are ignored). docs/security.md walks through the setup.
 */

/** Where a `ZmqServer` finds the public keys of the clients it lets in. Sources add up. */
export interface ZmqCurveAllowList {
  /** Client public keys, inline. */
  keys?: readonly string[];
  /**
   * A directory of `*.public` files, one client key each (as `writeKeyPair()` writes them).
   * Watched: adding or removing a file takes effect for new connections without a restart.
   */
  dir?: string;
  /** A file with one client public key per line (`#` starts a comment). Watched like `dir`. */
  file?: string;
  /**
   * How often, in ms, `dir` and `file` are also checked by modification time, for the file
   * systems where change notifications are missed (network mounts, some containers).
   * Default 2000; 0 turns the periodic check off (notifications only).
   */
  pollInterval?: number;
}

/**
 * Server side: every socket of the `ZmqServer` (ROUTER, PULL, SUB) becomes a CURVE server with
 * this key pair, and a ZAP handler authenticates each connecting client before any of its
 * messages reaches a handler.
 */
export interface ZmqCurveServerOptions {
  /** The server's secret key (Z85). Give this or `secretKeyFile`. Never logged. */
  secretKey?: string;
  /** A file holding the server's secret key (keep it mode 0600). */
  secretKeyFile?: string;
  /** The server's public key. Optional: derived from the secret key, and checked against it. */
  publicKey?: string;
  /** A file holding the server's public key. Optional, as `publicKey`. */
  publicKeyFile?: string;
  /**
   * The client public keys allowed in: a list, or `{ keys, dir, file }`. Without it, any client
   * with a CURVE key pair gets in (traffic is encrypted, peers are not authenticated).
   */
  allow?: readonly string[] | ZmqCurveAllowList;
}

/**
 * Client side: every socket of the `ZmqClient` (DEALER, PUSH, PUB) becomes a CURVE client.
 * Its routing id is set to its public key (the server pins it there too: see docs/security.md).
 */
export interface ZmqCurveClientOptions {
  /** The server's public key (Z85). Give this or `serverPublicKeyFile`. */
  serverPublicKey?: string;
  /** A file holding the server's public key. */
  serverPublicKeyFile?: string;
  /**
   * This client's secret key (or `secretKeyFile`). Without either, the client makes an
   * ephemeral key pair at connect: that works only with a server that has no `allow` list.
   */
  secretKey?: string;
  /** A file holding this client's secret key (keep it mode 0600). */
  secretKeyFile?: string;
  /** This client's public key. Optional: derived from the secret key, and checked against it. */
  publicKey?: string;
  /** A file holding this client's public key. Optional, as `publicKey`. */
  publicKeyFile?: string;
}
