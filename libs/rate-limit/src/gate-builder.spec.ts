import { MessagePattern, EventPattern } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import { buildAdmissionGate } from './gate-builder.js';
import { MemoryStore } from './memory.store.js';
import { RateLimit } from './rate-limit.decorator.js';
import { Verdict } from './verdict.js';

class Handlers {
  @MessagePattern('orders.create')
  @RateLimit({ limit: 2, per: '1s' })
  create() {}

  @EventPattern('orders.created')
  @RateLimit({ limit: 1, per: '1s' })
  created(_data: unknown) {}

  @MessagePattern('open')
  open() {}
}

const handler = (pattern: string, fn: Function, isEvent = false) => ({
  pattern,
  isEvent,
  extras: Reflect.getMetadata(PATTERN_EXTRAS_METADATA, fn),
});
const p = Handlers.prototype;

describe('buildAdmissionGate', () => {
  it('compiles socket, peer, option and handler rules with default actions by handler kind', () => {
    const store = new MemoryStore();
    const gate = buildAdmissionGate({
      socket: 'router',
      socketKind: 'router',
      options: {
        sockets: { router: { limit: 1000, per: '1s' } },
        peer: { limit: 100, per: '1s' },
        patterns: { open: { limit: 1, per: '1s', name: 'cfg' } },
      },
      handlers: [
        handler('orders.create', p.create),
        handler('orders.created', p.created, true),
        handler('open', p.open),
      ],
      store,
    });
    expect(gate.store).toBe(store);
    expect(gate.hasPeerRules).toBe(true);
    expect(gate.socketRules.map((r) => [r.name, r.keyKind, r.action])).toEqual([
      ['default', 'socket', 'reject'],
      ['peer', 'peer', 'reject'],
    ]);
    expect(gate.patternRules.get('orders.created')![0].action).toBe('drop');
    expect(gate.patternRules.get('orders.create')![0].action).toBe('reject');
    expect(gate.admit('open', 'a', 0)).toBe(Verdict.Admit);
    expect(gate.admit('open', 'a', 0)).toBe(Verdict.Reject);
    expect(gate.admit('orders.created', 'a', 0)).toBe(Verdict.Admit);
    expect(gate.admit('orders.created', 'a', 0)).toBe(Verdict.Drop);
  });

  it('is empty when nothing applies', () => {
    const gate = buildAdmissionGate({
      socket: 'pull',
      socketKind: 'pull',
      options: { peer: { limit: 1, per: 1 } }, // router only
      handlers: [handler('open', p.open, true)],
    });
    expect(gate.isEmpty).toBe(true);
  });

  it('refuses a handler rule the socket cannot honour', () => {
    class Bad {
      @EventPattern('evt')
      @RateLimit({ limit: 1, per: '1s', action: 'reject', name: 'r' })
      evt(_data: unknown) {}
    }
    expect(() =>
      buildAdmissionGate({
        socket: 'pull',
        socketKind: 'pull',
        handlers: [handler('evt', Bad.prototype.evt, true)],
      }),
    ).toThrow("@RateLimit({ name: 'r' }) on 'evt'.action must not be 'reject' on a pull socket");
  });

  it('the default socket rule action on pull/sub is drop', () => {
    const gate = buildAdmissionGate({
      socket: 'sub',
      socketKind: 'sub',
      options: { sockets: { sub: { limit: 1, per: 1000 } } },
      handlers: [],
    });
    expect(gate.socketRules[0].action).toBe('drop');
  });
});
