import type { Scenario } from '../scenario.js';
import { nestNatsScenarios } from './nest-nats.js';
import { nestRedisScenarios } from './nest-redis.js';
import { nestTcpScenarios } from './nest-tcp.js';
import { rateLimitDecisionsScenario } from './rate-limit-decisions.js';
import { rateLimitDropCpuScenario } from './rate-limit-drop-cpu.js';
import { rateLimitFloodScenario } from './rate-limit-flood.js';
import { rateLimitOverheadScenario } from './rate-limit-overhead.js';
import { rawZeromqScenarios } from './raw-zeromq.js';
import { sluiceScenarios } from './sluice.js';

/**
 * Every benchmark, in run order. To add one: write scenarios/<name>.ts exporting Scenario
 * objects (PairScenario for a server/client pair, SoloScenario for a micro-benchmark) and add
 * one line here. Ratios and targets that use its ids go in report.ts (TARGETS).
 */
export const SCENARIOS: readonly Scenario[] = [
  ...sluiceScenarios,
  ...rawZeromqScenarios,
  ...nestTcpScenarios,
  ...nestNatsScenarios,
  ...nestRedisScenarios,
  rateLimitDecisionsScenario,
  rateLimitOverheadScenario,
  rateLimitDropCpuScenario,
  rateLimitFloodScenario,
];

export function findScenario(id: string): Scenario {
  const scenario = SCENARIOS.find((candidate) => candidate.id === id);
  if (scenario === undefined) throw new Error(`unknown scenario ${id}`);
  return scenario;
}
