import { ZmqClient } from '@sluice/zeromq';
import type { DemoConfig } from '../../apps/demo/src/demo.config.js';

/**
 * A connected client of the demo (DEALER for queries, PUSH for ingestion), kept in `clients`
 * for closing. A fresh client is a fresh DEALER identity, so a fresh per-peer budget.
 */
export async function demoClient(config: DemoConfig, clients: ZmqClient[]): Promise<ZmqClient> {
  const client = new ZmqClient({
    dealer: { connect: config.routerEndpoint },
    push: { connect: config.pullEndpoint },
    timeout: 5_000,
  });
  clients.push(client);
  await client.connect();
  return client;
}
