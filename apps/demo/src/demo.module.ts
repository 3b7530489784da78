import { Module } from '@nestjs/common';
import { HttpController } from './http.controller.js';
import { IngestController } from './ingest.controller.js';
import { QueryController } from './query.controller.js';
import { ReadingsStore } from './readings.store.js';

@Module({
  controllers: [IngestController, QueryController, HttpController],
  providers: [{ provide: ReadingsStore, useFactory: () => new ReadingsStore() }],
})
export class DemoModule {}
