import type { MessageHandler } from '@nestjs/microservices';
import type { AdmissionGate, GateHandler, RateLimitRegistry } from '@sluice/rate-limit';
import { SocketKind } from '../zmq.constants.js';

export type AdmissionGates = Partial<Record<SocketKind, AdmissionGate>>;

/**
 * Compiles one admission gate per open socket from the registry's module options and the
 * handlers' `@RateLimit` extras. The ROUTER sees request handlers and events sent over a
 * DEALER; PULL and SUB see event handlers. A gate with no rule is registered (so the registry
 * lists the socket as unprotected) but not returned: its socket skips admission entirely.
 */
export function buildAdmissionGates(
  registry: RateLimitRegistry,
  sockets: readonly SocketKind[],
  handlers: ReadonlyMap<string, MessageHandler>,
): AdmissionGates {
  const gates: AdmissionGates = {};
  for (const socket of sockets) {
    const applicable: GateHandler[] = [];
    for (const [pattern, handler] of handlers) {
      const isEvent = handler.isEventHandler === true;
      if (socket !== SocketKind.Router && !isEvent) continue;
      applicable.push({ pattern, isEvent, extras: handler.extras });
    }
    const gate = registry.buildGate({ socket, socketKind: socket, handlers: applicable });
    if (socket === SocketKind.Router) dropInsteadOfPausing(gate, applicable);
    if (!gate.isEmpty) gates[socket] = gate;
  }
  return gates;
}

/**
 * An event rule written for PULL may say `pause`; on the ROUTER, where such events can also
 * arrive over a DEALER, pausing would stall every peer's requests for one sender's events.
 * There the rule drops instead (the same budget, no stall).
 */
function dropInsteadOfPausing(gate: AdmissionGate, handlers: readonly GateHandler[]): void {
  for (const handler of handlers) {
    if (!handler.isEvent) continue;
    for (const rule of gate.patternRules.get(handler.pattern) ?? []) {
      if (rule.action === 'pause') rule.action = 'drop';
    }
  }
}
