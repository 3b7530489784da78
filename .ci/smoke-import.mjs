// After `npm run build`, a plain Node ESM script imports the libraries exactly as a user of the
// published packages would (workspace symlink → package.json exports → dist).
import { ZmqClient, ZmqServer } from '@sluice/zeromq';
import { RateLimit } from '@sluice/rate-limit';

for (const [name, value] of Object.entries({ ZmqServer, ZmqClient, RateLimit })) {
  if (typeof value !== 'function') throw new Error(`@sluice export ${name} is missing from the build`);
}
console.log('built packages import: ok');
