import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RateLimit } from '@sluice/rate-limit';
import { ReadingsStore } from './readings.store.js';

/** Readings in one `readings.ingest-batch` event, at most. */
export const MAX_BATCH = 1_000;

/**
 * PULL ingestion: sensors push readings as events. Malformed readings are counted and
 * skipped (an event has no reply). Over a limit, the PULL socket pauses: the senders are
 * slowed down by ZeroMQ's back-pressure and nothing is lost.
 */
@Controller()
export class IngestController {
  constructor(private readonly store: ReadingsStore) {}

  @EventPattern('readings.ingest')
  ingest(@Payload() reading: unknown): void {
    this.store.ingest(reading);
  }

  /** A gateway's batch: each event costs up to MAX_BATCH readings, hence its own budget. */
  @RateLimit({ name: 'ingest-batch', limit: 50, per: '1s', action: 'pause' })
  @EventPattern('readings.ingest-batch')
  ingestBatch(@Payload() readings: unknown): void {
    if (!Array.isArray(readings) || readings.length > MAX_BATCH) {
      this.store.rejected++;
      return;
    }
    const now = Date.now();
    for (const reading of readings) this.store.ingest(reading, now);
  }
}
