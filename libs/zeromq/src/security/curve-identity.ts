/**
 * Identity binding. Under CURVE, a peer's routing id is its public key, in Z85 (40 printable
 * characters, so `ZmqContext.getPeer()` returns it as is):
 *
 * - the ZAP handler returns it as the `User-Id` and as the `Identity` metadata property of its
 *   200 reply; libzmq applies that property as the peer's routing id on the ROUTER, replacing
 *   whatever routing id the client declared in its handshake;
 * - `ZmqClient` declares the same routing id itself, so both ends agree.
 *
 * So per-peer limits key on an identity the peer proved (it holds the secret key) and cannot
 * rotate without a new key the allow-list accepts. The whole key, not a prefix: no two
 * allowed clients can share an id, and the id is the key operators already have on file.
 */
export function curveRoutingId(publicKey: string): string {
  return publicKey;
}
