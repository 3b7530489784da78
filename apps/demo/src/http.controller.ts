import { Controller, Get } from '@nestjs/common';
import { ReadingsStore, type ReadingsStats } from './readings.store.js';

@Controller()
export class HttpController {
  constructor(private readonly store: ReadingsStore) {}

  @Get()
  index(): { service: string; stats: ReadingsStats; dashboard: string } {
    return { service: 'sluice-demo', stats: this.store.stats(), dashboard: '/dashboard' };
  }
}
