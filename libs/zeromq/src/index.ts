export { ZmqServer, type ZmqServerSockets } from './server/zmq.server.js';
export { ZmqContext } from './server/zmq.context.js';
export type { ZmqLimitedEvent, ZmqServerEventsMap } from './server/server-events.js';
export { ServerStats, SocketStats } from './server/server-stats.js';
export { ZmqClient, type ZmqClientEvent } from './client/zmq.client.js';
export type { ZmqServerOptions, ZmqSubOptions } from './interfaces/zmq-server-options.interface.js';
export type { ZmqClientOptions } from './interfaces/zmq-client-options.interface.js';
export type {
  ZmqCurveAllowList,
  ZmqCurveClientOptions,
  ZmqCurveServerOptions,
} from './interfaces/zmq-curve-options.interface.js';
export type { AuthRefusedEvent } from './server/server-sockets.js';
export { curveRoutingId } from './security/curve-identity.js';
export type { CurveAuthStats } from './security/server-security.js';
export { type KeyPairFiles, writeKeyPair } from './security/generate-keys.js';
export type {
  ZmqBindOptions,
  ZmqConnectOptions,
  ZmqDeserializer,
  ZmqSerializer,
  ZmqSocketOptions,
} from './interfaces/zmq-socket-options.interface.js';
export { JsonDeserializer, JsonSerializer } from './json.codec.js';
export { ZmqConfigError } from './options/zmq-config.error.js';
export { MalformedReason } from './wire/malformed-reason.js';
export { MessageKind, WIRE_VERSION } from './wire/wire.constants.js';
export { SocketKind, ZmqEvent, ZmqStatus } from './zmq.constants.js';
export { ZmqRequestError } from './client/zmq-request.error.js';
