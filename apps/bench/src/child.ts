import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { type Handlers, serveCommands, withTimeout } from './ipc.js';
import { clientRole } from './roles/client.js';
import { serverRole } from './roles/server.js';
import type { BenchEnv, RunConfig } from './scenario.js';
import { findScenario } from './scenarios/index.js';

/**
 * Entry point of every child process: `node child.js <role> <scenarioId> <envJson>`, where the
 * role is server, client or solo, or one of a custom scenario's `roles`.
 * A child whose orchestrator vanished exits at once (the IPC channel closes), so a killed
 * `npm run bench` leaves nothing behind.
 */
process.on('disconnect', () => process.exit(1));
// Client proxies log through Nest's static logger ("Connected to Redis…"): keep the table readable.
Logger.overrideLogger(['error']);

async function main(): Promise<void> {
  const [role, id, envJson] = process.argv.slice(2);
  const scenario = findScenario(id);
  const env = JSON.parse(envJson) as BenchEnv;
  let role$: { handlers: Handlers; close: () => Promise<void> };
  if (scenario.kind === 'custom') {
    const start = scenario.roles[role];
    if (start === undefined) throw new Error(`unknown role ${role} for ${id}`);
    role$ = await start(env);
  } else if (scenario.kind === 'solo') {
    const run = async (c: Record<string, unknown>) => scenario.run(env, c as unknown as RunConfig);
    role$ = { handlers: { run }, close: async () => undefined };
  } else if (role === 'server') {
    role$ = await serverRole(scenario, env);
  } else if (role === 'client') {
    role$ = await clientRole(scenario, env);
  } else {
    throw new Error(`unknown role ${role} for ${id}`);
  }
  // Closing is bounded too: a transport that cannot close cleanly must not keep the child alive.
  serveCommands(role$.handlers, () => withTimeout(role$.close(), 2_000, 'close timed out'));
}

main().catch((error: unknown) => {
  process.send?.({
    type: 'fatal',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  setTimeout(() => process.exit(1), 100);
});
