import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ReadingsStore, type Reading } from './readings.store.js';

/** PULL ingestion: sensors push readings as events. */
@Controller()
export class IngestController {
  constructor(private readonly store: ReadingsStore) {}

  @EventPattern('readings.ingest')
  ingest(@Payload() reading: Reading): void {
    if (typeof reading?.sensor !== 'string' || typeof reading.value !== 'number') return;
    this.store.add({
      sensor: reading.sensor,
      value: reading.value,
      at: Date.now(),
    });
  }
}
