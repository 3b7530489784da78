import type { BenchClient, BenchEnv, BenchServer, PairScenario } from '../scenario.js';

/** One transport, described once; it yields the three standard scenarios of the comparison. */
export interface TransportDef {
  transport: string;
  /** Human description of the stack, e.g. "ZmqServer in Nest, ZmqClient (DEALER/ROUTER)". */
  request: string;
  event: string;
  /** Emits awaited concurrently in the event scenario (1 when the API allows one send at a time). */
  eventWindow?: number;
  // Function-typed properties, not methods: they are passed on unbound.
  probe?: (env: BenchEnv) => Promise<string | undefined>;
  server: (env: BenchEnv, onMessage: () => void) => Promise<BenchServer>;
  client: (env: BenchEnv) => Promise<BenchClient>;
}

export const IN_FLIGHT_LEVELS = [1, 100] as const;
export const DEFAULT_EVENT_WINDOW = 100;

/** `<transport>.req@1`, `<transport>.req@100`, `<transport>.events`. */
export function transportScenarios(def: TransportDef): PairScenario[] {
  const shared = {
    transport: def.transport,
    probe: def.probe,
    server: def.server,
    client: def.client,
  };
  const requests: PairScenario[] = IN_FLIGHT_LEVELS.map((inFlight) => ({
    ...shared,
    id: `${def.transport}.req@${inFlight}`,
    kind: 'request',
    inFlight,
    description: `${def.request}, ${inFlight} in flight`,
  }));
  const window = def.eventWindow ?? DEFAULT_EVENT_WINDOW;
  const events: PairScenario = {
    ...shared,
    id: `${def.transport}.events`,
    kind: 'event',
    inFlight: window,
    description: `${def.event}, ${window} emit${window === 1 ? '' : 's'} awaited at a time`,
  };
  return [...requests, events];
}
