import { Logger } from '@nestjs/common';
import { bootstrapDemo } from './bootstrap.js';
import { demoConfig } from './demo.config.js';

const config = demoConfig();
await bootstrapDemo(config);
new Logger('Demo').log(
  `Sluice demo: ROUTER ${config.routerEndpoint}, PULL ${config.pullEndpoint}, HTTP http://${config.httpHost}:${config.httpPort}`,
);
