import { Controller, Get } from '@nestjs/common';
import { ReadingsStore } from './readings.store.js';

@Controller()
export class HttpController {
  constructor(private readonly store: ReadingsStore) {}

  @Get()
  index(): { service: string; stats: { sensors: number; ingested: number } } {
    return { service: 'sluice-demo', stats: this.store.stats() };
  }
}
