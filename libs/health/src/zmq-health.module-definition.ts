import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ZMQ_HEALTH_OPTIONS } from './health.constants.js';
import { ZmqMetricsController } from './metrics-handler.js';
import type { ZmqHealthModuleOptions } from './zmq-health-options.interface.js';

export interface ZmqHealthModuleExtras {
  /** Provide the module to the whole app. Default true. */
  isGlobal?: boolean;
  /** Mount `ZmqMetricsController` (GET /metrics). Default false: mount your own, or `metricsHandler`. */
  metricsController?: boolean;
}

export const {
  ConfigurableModuleClass: ZmqHealthConfigurableModule,
  OPTIONS_TYPE: ZMQ_HEALTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ZMQ_HEALTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ZmqHealthModuleOptions>({
  moduleName: 'ZmqHealth',
  optionsInjectionToken: ZMQ_HEALTH_OPTIONS,
})
  .setClassMethodName('forRoot')
  // Extras are known when the module is defined (forRootAsync too), so they decide its shape.
  .setExtras<ZmqHealthModuleExtras>(
    { isGlobal: true, metricsController: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? true,
      controllers: extras.metricsController === true ? [ZmqMetricsController] : [],
    }),
  )
  .build();
