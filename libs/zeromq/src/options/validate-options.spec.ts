import { describe, expect, it } from 'vitest';
import { ZmqClient } from '../client/zmq.client.js';
import { ZmqServer } from '../server/zmq.server.js';
import { ZmqConfigError } from './zmq-config.error.js';

const build = (options: unknown) => () => new ZmqServer(options as never);
const buildClient = (options: unknown) => () => new ZmqClient(options as never);

describe('ZmqServer option validation', () => {
  it('accepts a minimal and a full configuration', () => {
    expect(build({ router: { bind: 'tcp://127.0.0.1:5555' } })).not.toThrow();
    expect(
      build({
        router: {
          bind: ['tcp://127.0.0.1:5555', 'ipc:///tmp/x.sock'],
          sendHighWaterMark: 10,
          receiveHighWaterMark: 10,
          sendTimeout: 0,
          maxMessageSize: 1024,
          heartbeatInterval: 1000,
          heartbeatTimeToLive: 3000,
          heartbeatTimeout: 3000,
          handshakeInterval: 2000,
          linger: 0,
          backlog: 10,
        },
        pull: { bind: 'tcp://*:5556', receiveHighWaterMark: 5 },
        sub: {
          connect: 'tcp://127.0.0.1:6000',
          topics: ['a', 'b'],
          reconnectInterval: 10,
          reconnectMaxInterval: 100,
          immediate: true,
        },
        maxPatternBytes: 256,
        drainTimeout: 100,
      }),
    ).not.toThrow();
  });

  it.each([
    [undefined, /must be an object/],
    [{}, /need at least one socket: router/],
    [{ router: 'tcp://127.0.0.1:1' }, /router must be an object.*bind/],
    [
      { router: { bind: '127.0.0.1:5555' } },
      /invalid endpoint '127.0.0.1:5555': use tcp:\/\/HOST:PORT/,
    ],
    [{ router: { bind: [] } }, /router.bind must be an endpoint or a non-empty list/],
    [
      { router: { bind: 'tcp://127.0.0.1:1', sendHighWaterMark: -1 } },
      /router.sendHighWaterMark must be an integer ≥ 0 \(got -1\)/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1', linger: 1.5 } },
      /linger must be an integer ≥ -1 \(got 1.5\)/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1', heartbeatTimeToLive: 7_000_000 } },
      /from 0 to 6553599/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1', immediate: 'yes' } },
      /immediate must be true or false/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1', sendHWM: 5 } },
      /router.sendHWM is not an option; allowed: bind, /,
    ],
    [
      { rooter: { bind: 'tcp://127.0.0.1:1' } },
      /rooter is not an option; allowed: router, pull, sub/,
    ],
    [
      { pull: { bind: 'tcp://127.0.0.1:1', sendHighWaterMark: 5 } },
      /pull.sendHighWaterMark does not apply to this socket, which only receives/,
    ],
    [
      { sub: { connect: 'tcp://127.0.0.1:1', topics: 'orders' } },
      /sub.topics must be a list of topic prefixes/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1' }, maxPatternBytes: 0 },
      /maxPatternBytes must be an integer from 1 to 65536/,
    ],
    [
      { router: { bind: 'tcp://127.0.0.1:1' }, serializer: {} },
      /serializer must be an object with a serialize\(\) method/,
    ],
  ])('rejects %j with a message that says what to fix', (options, message) => {
    expect(build(options)).toThrow(ZmqConfigError);
    expect(build(options)).toThrow(message);
  });
});

describe('ZmqClient option validation', () => {
  it.each([
    [{}, /need at least one socket: dealer/],
    [{ dealer: { bind: 'tcp://127.0.0.1:1' } }, /dealer.bind is not an option/],
    [{ dealer: { connect: 'tcp://127.0.0.1:1' }, timeout: -5 }, /timeout must be an integer ≥ 0/],
    [
      { push: { connect: 'tcp://127.0.0.1:1', receiveHighWaterMark: 1 } },
      /push.receiveHighWaterMark does not apply to this socket, which only sends/,
    ],
    [{ pub: { connect: 'tcp://127.0.0.1:1' } }, /pub.connect is not an option/],
  ])('rejects %j', (options, message) => {
    expect(buildClient(options)).toThrow(message);
  });
});
