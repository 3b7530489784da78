import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';
import { DashboardService } from './dashboard.service.js';

/** `/dashboard`: a static page that polls `/dashboard/data` once a second. */
@Controller('dashboard')
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly assets: DashboardAssets,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-cache')
  async page(): Promise<StreamableFile> {
    return this.file('index.html');
  }

  @Get('data')
  @Header('Cache-Control', 'no-store')
  data(): DashboardSnapshot {
    return this.dashboard.snapshot();
  }

  @Get('assets/:name')
  @Header('Cache-Control', 'no-cache')
  async asset(@Param('name') name: string): Promise<StreamableFile> {
    if (!this.assets.has(name)) throw new NotFoundException(`No dashboard asset ${name}`);
    return this.file(name);
  }

  private async file(name: string): Promise<StreamableFile> {
    const { body, type } = await this.assets.get(name);
    return new StreamableFile(body, { type, length: body.length });
  }
}
