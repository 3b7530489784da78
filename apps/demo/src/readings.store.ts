import { Injectable } from '@nestjs/common';

export interface Reading {
  sensor: string;
  value: number;
  at: number;
}

/** The demo's in-memory state: the latest reading per sensor, bounded. */
@Injectable()
export class ReadingsStore {
  private readonly latest = new Map<string, Reading>();
  ingested = 0;

  constructor(private readonly maxSensors = 10_000) {}

  add(reading: Reading): void {
    if (!this.latest.has(reading.sensor) && this.latest.size >= this.maxSensors) {
      const oldest = this.latest.keys().next().value;
      if (oldest !== undefined) this.latest.delete(oldest);
    }
    this.latest.set(reading.sensor, reading);
    this.ingested++;
  }

  get(sensor: string): Reading | undefined {
    return this.latest.get(sensor);
  }

  stats(): { sensors: number; ingested: number } {
    return { sensors: this.latest.size, ingested: this.ingested };
  }
}
