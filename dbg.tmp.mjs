import { Router, Dealer, curveKeyPair } from 'zeromq';
const server = curveKeyPair(), client = curveKeyPair();
const zap = new Router();
await zap.bind('inproc://zeromq.zap.01');
function meta(name, value) { const v = Buffer.from(value); const b = Buffer.alloc(5 + name.length + v.length); b.writeUInt8(name.length, 0); b.write(name, 1, 'latin1'); b.writeUInt32BE(v.length, 1 + name.length); v.copy(b, 5 + name.length); return b; }
(async () => { for await (const [path, delim, version, id] of zap) await zap.send([path, delim, version, id, '200', 'OK', client.publicKey, meta('Identity', client.publicKey)]); })();
const r = new Router({ curveServer: true, curveSecretKey: server.secretKey, zapDomain: 'd1', mandatory: true });
r.events.on('accept', () => console.log('accept'));
await r.bind('tcp://127.0.0.1:47129');
const d = new Dealer({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey, routingId: client.publicKey, receiveTimeout: 2000 });
d.connect('tcp://127.0.0.1:47129');
await d.send('hi');
const [id] = await r.receive();
const body = process.argv[2] === 'key' ? client.publicKey : process.argv[2] === 'skey' ? server.publicKey : 'y'.repeat(40);
await r.send([id, body]);
try { console.log('dealer got', String(await d.receive())); } catch (e) { console.log('dealer err', e.message); }
process.exit(0);
