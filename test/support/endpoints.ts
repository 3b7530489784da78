import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ipcFiles: string[] = [];
// libzmq leaves an ipc socket file behind after close: remove this process's files at exit.
process.once('exit', () => {
  for (const file of ipcFiles) rmSync(file, { force: true });
});

/** A fresh ipc endpoint in the temp dir: no port to collide with other test files. */
export function ipcEndpoint(name = 'sluice'): string {
  const file = join(tmpdir(), `${name}-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  ipcFiles.push(file);
  return `ipc://${file}`;
}

/** A tcp endpoint on loopback with a port the OS just handed out. */
export async function tcpEndpoint(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  return `tcp://127.0.0.1:${port}`;
}
