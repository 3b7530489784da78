import { Injectable } from '@nestjs/common';

export interface Reading {
  sensor: string;
  value: number;
  at: number;
}

/** A reading as a sensor sends it: `at` (ms since the epoch) defaults to the arrival time. */
export interface IncomingReading {
  sensor: string;
  value: number;
  at?: number;
}

export interface ReadingsStats {
  sensors: number;
  ingested: number;
  rejected: number;
}

const MAX_SENSOR_LENGTH = 128;

/** True for a well-formed reading: a short sensor name and a finite value. */
export function isReading(input: unknown): input is IncomingReading {
  const r = input as Partial<IncomingReading> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.sensor === 'string' &&
    r.sensor.length > 0 &&
    r.sensor.length <= MAX_SENSOR_LENGTH &&
    typeof r.value === 'number' &&
    Number.isFinite(r.value) &&
    (r.at === undefined || (typeof r.at === 'number' && Number.isFinite(r.at)))
  );
}

/** The demo's in-memory state: the latest reading per sensor, bounded. */
@Injectable()
export class ReadingsStore {
  private readonly latest = new Map<string, Reading>();
  ingested = 0;
  /** Malformed readings refused by the ingestion handlers. */
  rejected = 0;

  constructor(private readonly maxSensors = 10_000) {}

  /** Stores a reading if it is well-formed; returns whether it was. */
  ingest(input: unknown, now = Date.now()): boolean {
    if (!isReading(input)) {
      this.rejected++;
      return false;
    }
    this.add({ sensor: input.sensor, value: input.value, at: input.at ?? now });
    return true;
  }

  add(reading: Reading): void {
    if (!this.latest.has(reading.sensor) && this.latest.size >= this.maxSensors) {
      const oldest = this.latest.keys().next().value;
      if (oldest !== undefined) this.latest.delete(oldest);
    }
    // Re-inserting keeps the map in least-recently-updated order for the eviction above.
    this.latest.delete(reading.sensor);
    this.latest.set(reading.sensor, reading);
    this.ingested++;
  }

  get(sensor: string): Reading | undefined {
    return this.latest.get(sensor);
  }

  stats(): ReadingsStats {
    return { sensors: this.latest.size, ingested: this.ingested, rejected: this.rejected };
  }
}
