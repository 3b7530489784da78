import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { RateLimitConfigError } from './rate-limit-config.error.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit.module-definition.js';
import { RateLimitModule } from './rate-limit.module.js';
import { RateLimitRegistry } from './rate-limit.registry.js';
import { MemoryStore } from './memory.store.js';

@Injectable()
class Settings {
  readonly perPeer = 7;
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

describe('RateLimitModule', () => {
  it('forRoot provides the options and a registry built from them', async () => {
    const store = new MemoryStore();
    const ref = await Test.createTestingModule({
      imports: [RateLimitModule.forRoot({ peer: { limit: 5, per: '1s' }, store })],
    }).compile();
    expect(ref.get(RATE_LIMIT_OPTIONS)).toEqual({
      peer: { limit: 5, per: '1s' },
      store,
    });
    const registry = ref.get(RateLimitRegistry);
    expect(registry.store).toBe(store);
    registry.buildGate({
      socket: 'router',
      socketKind: 'router',
      handlers: [],
    });
    expect(registry.list()[0]).toMatchObject({ name: 'peer', limit: 5 });
    await ref.close();
  });

  it('forRootAsync builds the options from injected providers; isGlobal exposes the registry', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly registry: RateLimitRegistry) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}

    const ref = await Test.createTestingModule({
      imports: [
        RateLimitModule.forRootAsync({
          isGlobal: true,
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (s: Settings) => ({
            peer: { limit: s.perPeer, per: '1s' },
          }),
        }),
        FeatureModule,
      ],
    }).compile();
    expect(ref.get(Consumer).registry.options).toEqual({
      peer: { limit: 7, per: '1s' },
    });
    await ref.close();
  });

  it('fails the bootstrap on an invalid option, naming the field', async () => {
    await expect(
      Test.createTestingModule({
        imports: [
          RateLimitModule.forRoot({
            sockets: { router: { limit: -1, per: '1s' } },
          }),
        ],
      }).compile(),
    ).rejects.toThrow(RateLimitConfigError);
  });
});
