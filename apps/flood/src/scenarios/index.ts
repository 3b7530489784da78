import type { ScenarioName } from '../options.js';
import type { Scenario } from '../scenario-context.js';
import { dealerFlood } from './dealer-flood.js';
import { identityRotation } from './identity-rotation.js';
import { malformed } from './malformed.js';
import { manyConnections } from './many-connections.js';
import { oversize } from './oversize.js';
import { pushFlood } from './push-flood.js';
import { slowReader } from './slow-reader.js';

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  'push-flood': pushFlood,
  'dealer-flood': dealerFlood,
  'identity-rotation': identityRotation,
  oversize,
  malformed,
  'slow-reader': slowReader,
  'many-connections': manyConnections,
};
