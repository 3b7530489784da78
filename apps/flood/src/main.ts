import { parseArgs } from 'node:util';
import { writeKeyPair } from '@sluice/zeromq';
import {
  FloodOptionError,
  type FloodOptions,
  SCENARIO_NAMES,
  type ScenarioName,
} from './options.js';
import { Progress } from './progress.js';
import { writeReport } from './report.js';
import { runScenario } from './run-scenario.js';
import { UnsafeTargetError } from './target.js';

const HELP = `Sluice flood: attack and load generator for a Sluice (ZeroMQ) endpoint.

Usage:
  npm run flood -- <scenario> [options]
  npm run keys -- --out DIR --name NAME [--overwrite]

Scenarios:
  push-flood         PUSH events to the PULL socket (blocks at the HWM: measures pushback)
  dealer-flood       requests from one DEALER with one routing id (what a per-peer rule stops)
  identity-rotation  batches of DEALERs, a fresh routing id each (defeats per-peer rules alone)
  oversize           messages above the server's maxMessageSize (the server disconnects)
  malformed          every kind of protocol violation, mixed, seeded (--socket pull for events)
  slow-reader        a DEALER that sends requests and never reads its replies
  many-connections   --connections DEALERs connect, each sends one request, then stay

Target (loopback or ipc only unless --allow-remote):
  --router ENDPOINT      ROUTER endpoint             default tcp://127.0.0.1:5555 (the demo)
  --pull ENDPOINT        PULL endpoint               default tcp://127.0.0.1:5556 (the demo)
  --socket router|pull   target of malformed and oversize   default router
  --pattern NAME         pattern of the attack messages
                         default control.ping (requests), readings.ingest (events)
  --allow-remote         allow a host that is not loopback (only hosts you own)

Load (every run is bounded by --count and --duration):
  --rate N               messages per second, 0 = as fast as possible   default 0
  --duration S           seconds, at most 300                           default 5
  --count N              most messages to send                          default 100000000
  --size BYTES           body size (padding)                 default 64, oversize 2097152
  --data JSON            fixed payload instead of {"n":seq,"sensor":"flood","value":seq,"pad":…}
  --connections N        sockets at once (identity-rotation batch, many-connections)  default 100
  --per-identity N       requests per routing id in identity-rotation                 default 1
  --identity ID          routing id of dealer-flood                        default flood-<pid>
  --hwm N                send/receive high-water mark of the attack sockets          default 1000
  --send-timeout MS      a send waiting longer at the HWM counts as blocked          default 500
  --linger MS            linger of the attack sockets at close                       default 1000
  --grace MS             after the last send: wait for replies, or keep a PUSH open
                         so queued events reach a paused server                      default 1000
  --seed N               seed of the malformed generator                                default 1

Legitimate traffic beside the attack (a real ZmqClient on --router):
  --legit                turn it on (implied by the options below)
  --legit-pattern NAME   default control.ping
  --legit-rate N         requests per second                                        default 20
  --legit-data JSON      payload                                                    default {}
  --legit-timeout MS     per request                                              default 2000

Server side:
  --stats-pattern NAME   a request pattern that answers with server statistics (before/after)
  --server-pid PID       local server process: RSS before/after/peak and CPU time from /proc

Keys (CURVE, for a server or client that uses curve options):
  keys --out DIR --name NAME   writes DIR/NAME.public and DIR/NAME.secret (mode 0600)
  --overwrite                  replace an existing pair

Output:
  --out FILE             write the JSON report there instead of stdout
  -q, --quiet            no progress line on stderr (it is off anyway when stderr is not a TTY)
  -h, --help             this text

Examples:
  npm run flood -- push-flood --pull tcp://127.0.0.1:5556 --duration 3 --legit
  npm run flood -- dealer-flood --rate 5000 --legit --legit-rate 50 --out flood.json
  npm run flood -- malformed --count 100000 --server-pid $(pgrep -f apps/demo/dist/main.js)
  npm run keys -- --out ./keys --name server
`;

const OPTIONS = {
  router: { type: 'string' },
  pull: { type: 'string' },
  socket: { type: 'string' },
  pattern: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  count: { type: 'string' },
  size: { type: 'string' },
  data: { type: 'string' },
  connections: { type: 'string' },
  'per-identity': { type: 'string' },
  identity: { type: 'string' },
  hwm: { type: 'string' },
  'send-timeout': { type: 'string' },
  linger: { type: 'string' },
  grace: { type: 'string' },
  seed: { type: 'string' },
  legit: { type: 'boolean' },
  'legit-pattern': { type: 'string' },
  'legit-rate': { type: 'string' },
  'legit-data': { type: 'string' },
  'legit-timeout': { type: 'string' },
  'stats-pattern': { type: 'string' },
  'server-pid': { type: 'string' },
  out: { type: 'string', short: 'o' },
  name: { type: 'string' },
  overwrite: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    process.stderr.write(`flood: ${(error as Error).message}\nTry --help.\n`);
    process.exit(64);
  }
}

const parsed = parseCommandLine();
const { values, positionals } = parsed;

function num(name: keyof typeof values): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw !== 'string') return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new FloodOptionError(`--${name} must be a number (got '${raw}')`);
  }
  return value;
}

function json(name: 'data' | 'legit-data'): unknown {
  const raw = values[name];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new FloodOptionError(`--${name} must be JSON (got '${raw}')`);
  }
}

function floodOptions(scenario: ScenarioName, signal: AbortSignal): FloodOptions {
  const wantsLegit =
    values.legit === true ||
    ['legit-pattern', 'legit-rate', 'legit-data', 'legit-timeout'].some(
      (k) => values[k as keyof typeof values] !== undefined,
    );
  const socket = values.socket;
  if (socket !== undefined && socket !== 'router' && socket !== 'pull') {
    throw new FloodOptionError(`--socket must be router or pull (got '${socket}')`);
  }
  return {
    scenario,
    router: values.router,
    pull: values.pull,
    socket,
    pattern: values.pattern,
    allowRemote: values['allow-remote'],
    rate: num('rate'),
    duration: num('duration'),
    count: num('count'),
    size: num('size'),
    data: json('data'),
    connections: num('connections'),
    perIdentity: num('per-identity'),
    identity: values.identity,
    hwm: num('hwm'),
    sendTimeoutMs: num('send-timeout'),
    lingerMs: num('linger'),
    graceMs: num('grace'),
    seed: num('seed'),
    legit: wantsLegit && {
      pattern: values['legit-pattern'],
      rate: num('legit-rate'),
      data: json('legit-data'),
      timeoutMs: num('legit-timeout'),
    },
    statsPattern: values['stats-pattern'],
    serverPid: num('server-pid'),
    signal,
  };
}

async function keys(): Promise<void> {
  if (values.out === undefined || values.name === undefined) {
    throw new FloodOptionError('keys needs --out DIR and --name NAME');
  }
  const written = await writeKeyPair(values.out, values.name, {
    overwrite: values.overwrite === true,
  });
  process.stdout.write(
    `${JSON.stringify({ public: written.publicKeyFile, secret: written.secretKeyFile, publicKey: written.publicKey }, null, 2)}\n`,
  );
}

async function flood(scenario: ScenarioName): Promise<void> {
  const abort = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nInterrupted: stopping, the report follows (Ctrl-C again to quit).\n');
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const options = floodOptions(scenario, abort.signal);
  // The process-level backstop: whatever happens, it exits.
  const limitMs = ((options.duration ?? 5) + 90) * 1000;
  setTimeout(() => {
    process.stderr.write(`flood: still running ${limitMs / 1000} s after start: exiting.\n`);
    process.exit(2);
  }, limitMs).unref();
  const progress = Progress.forTerminal(values.quiet === true);
  options.onProgress = progress.update;
  try {
    const report = await runScenario(options);
    progress.stop();
    writeReport(report, values.out);
    if (values.out !== undefined) process.stderr.write(`Report written to ${values.out}\n`);
  } finally {
    progress.stop();
  }
}

async function main(): Promise<void> {
  const command = positionals[0];
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length > 1)
    throw new FloodOptionError(`Unexpected arguments: ${positionals.slice(1).join(' ')}`);
  if (command === 'keys') return keys();
  if (!SCENARIO_NAMES.includes(command as ScenarioName)) {
    throw new FloodOptionError(
      `Unknown scenario '${command}': ${SCENARIO_NAMES.join(', ')} or keys`,
    );
  }
  await flood(command as ScenarioName);
}

main().then(
  () => {
    // Sockets are closed; anything still holding the loop (a lingering message) gets 3 s.
    setTimeout(() => process.exit(process.exitCode ?? 0), 3_000).unref();
  },
  (error: unknown) => {
    const known = error instanceof FloodOptionError || error instanceof UnsafeTargetError;
    process.stderr.write(
      `flood: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    if (known && !(error instanceof UnsafeTargetError)) process.stderr.write('Try --help.\n');
    process.exit(known ? 64 : 1);
  },
);
