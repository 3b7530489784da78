import { Module } from '@nestjs/common';
import { ReadingsStore } from './readings.store.js';

/** The readings store, shared by the handlers and the dashboard. */
@Module({
  providers: [{ provide: ReadingsStore, useFactory: () => new ReadingsStore() }],
  exports: [ReadingsStore],
})
export class ReadingsModule {}
