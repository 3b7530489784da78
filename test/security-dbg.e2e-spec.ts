import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { it, expect } from 'vitest';
import { Dealer } from 'zeromq';
import { MessageKind, WIRE_VERSION, writeKeyPair } from '@sluice/zeromq';
import { curveKeyPair } from 'zeromq';
import { tcpEndpoint } from './support/endpoints.js';
import { startServer } from './support/nest.js';

@Controller()
class C {
  @MessagePattern('whoami')
  whoami(): string { return 'x'.repeat(Number(process.env.LEN ?? 1)); }
}

it('raw dealer', async () => {
  const router = await tcpEndpoint();
  const { readFile, mkdtemp } = await import('node:fs/promises');
  const dir = await mkdtemp('/tmp/dbgk-');
  const sk = await writeKeyPair(dir, 'server'); const ak = await writeKeyPair(dir, 'alice');
  const server = { publicKey: sk.publicKey, secretKey: (await readFile(sk.secretKeyFile, 'utf8')).split('\n')[1] };
  const alice = { publicKey: ak.publicKey, secretKey: (await readFile(ak.secretKeyFile, 'utf8')).split('\n')[1] };
  void curveKeyPair;
  const running = await startServer({ router: { bind: router }, curve: { secretKeyFile: sk.secretKeyFile, allow: [alice.publicKey] } }, [C]);
  const d = new Dealer({ receiveTimeout: 3000, linger: 0, curveServerKey: server.publicKey, curvePublicKey: alice.publicKey, curveSecretKey: alice.secretKey, routingId: process.env.RID === '1' ? alice.publicKey : 'spoof' });
  running.server.on('peer:disconnected', (e: unknown) => console.log('SRV DISC', e, performance.now()));
  running.server.on('peer:connected', (e: unknown) => console.log('SRV CONN', e, performance.now()));
  d.events.on('disconnect', () => console.log('DISCONNECT'));
  d.events.on('handshake', () => console.log('HANDSHAKE'));
  d.events.on('handshake:error:protocol', (e) => console.log('PROTO', e.error));
  d.connect(router);
  await d.send([Buffer.from([WIRE_VERSION, MessageKind.Request]), 'r0', 'whoami', '{}']);
  const frames = await d.receive();
  console.log(frames.map(String));
  d.close();
  await running.app.close();
  expect(frames.length).toBe(3);
});
