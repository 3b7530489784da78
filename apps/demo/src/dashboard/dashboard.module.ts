import { Module } from '@nestjs/common';
import { ReadingsModule } from '../readings.module.js';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';
import { ZmqServerLocator } from './zmq-server.locator.js';

/**
 * The live dashboard. Needs a global `RateLimitModule` (its registry) and a ZmqServer
 * connected to the app.
 */
@Module({
  imports: [ReadingsModule],
  controllers: [DashboardController],
  providers: [
    DashboardService,
    ZmqServerLocator,
    { provide: DashboardAssets, useFactory: () => new DashboardAssets() },
  ],
})
export class DashboardModule {}
