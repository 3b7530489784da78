import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ZmqClientHealthIndicator, ZmqHealthIndicator } from '@sluice/health';
import type { ZmqClient } from '@sluice/zeromq';

/** The probe client's injection token: a DEALER of the service's own ROUTER. */
export const HEALTH_PROBE = 'HEALTH_PROBE';

/**
 * `/health`: the transport's own view (listening, paused, throttling) and a real round trip
 * through the ROUTER, which proves the service answers, not only that a socket is open.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly zmq: ZmqHealthIndicator,
    private readonly ping: ZmqClientHealthIndicator,
    @Inject(HEALTH_PROBE) private readonly probe: ZmqClient,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.zmq.isHealthy('zmq'),
      () =>
        this.ping.pingCheck('zmq-roundtrip', this.probe, {
          pattern: 'control.ping',
          timeout: 1_000,
        }),
    ]);
  }
}
