import { Dealer, Pull, Push, Router } from 'zeromq';
import type { BenchClient, BenchServer } from '../scenario.js';
import { transportScenarios } from './define.js';

/**
 * The ceiling: zeromq.js with the least code that does the job. The server echoes the frames
 * untouched (no decoding); the client JSON-encodes requests and decodes replies like every other
 * client here. zeromq.js allows one pending send per socket, so events are sent one at a time.
 */
export const rawZeromqScenarios = transportScenarios({
  transport: 'raw-zeromq',
  request: 'raw zeromq.js: DEALER [id, body] → ROUTER echo',
  event: 'raw zeromq.js: PUSH → PULL, awaiting each send',
  eventWindow: 1,
  server: async (env, onMessage) => {
    const router = new Router();
    const pull = new Pull();
    await router.bind(`tcp://${env.host}:${env.ports[0]}`);
    await pull.bind(`tcp://${env.host}:${env.ports[1]}`);
    void (async () => {
      while (!router.closed) {
        const frames = await router.receive().catch(() => undefined);
        if (frames === undefined) continue;
        onMessage();
        await router.send(frames).catch(() => undefined);
      }
    })();
    void (async () => {
      while (!pull.closed) {
        const frames = await pull.receive().catch(() => undefined);
        if (frames !== undefined) onMessage();
      }
    })();
    return closer(router, pull);
  },
  client: async (env) => {
    const dealer = new Dealer();
    const push = new Push();
    dealer.connect(`tcp://${env.host}:${env.ports[0]}`);
    push.connect(`tcp://${env.host}:${env.ports[1]}`);
    const pending = new Map<string, (body: Buffer) => void>();
    const send = serialSender(dealer);
    let nextId = 0;
    void (async () => {
      while (!dealer.closed) {
        const frames = await dealer.receive().catch(() => undefined);
        if (frames === undefined) continue;
        const key = frames[0].toString('latin1');
        const resolve = pending.get(key);
        pending.delete(key);
        resolve?.(frames[1]);
      }
    })();
    const client: BenchClient = {
      request: (payload) =>
        new Promise((resolve, reject) => {
          const id = (nextId++).toString(36);
          pending.set(id, (body) => resolve(JSON.parse(body.toString('utf8'))));
          send([id, JSON.stringify(payload)]).catch(reject);
        }),
      emit: (payload) => push.send(JSON.stringify(payload)),
      close: async () => closer(dealer, push).close(),
    };
    return client;
  },
});

/** The minimum a DEALER with many callers needs: sends queued behind one pending send. */
function serialSender(socket: Dealer): (frames: string[]) => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return (frames) => {
    const sent = tail.then(() => socket.send(frames));
    tail = sent.catch(() => undefined); // one failed send must not fail the ones behind it
    return sent;
  };
}

function closer(...sockets: Array<{ close(): void; closed: boolean }>): BenchServer {
  return {
    close: async () => {
      for (const socket of sockets) if (!socket.closed) socket.close();
    },
  };
}
