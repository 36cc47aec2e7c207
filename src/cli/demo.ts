import { configUsage, loadConfig, type Config } from '../config.ts';
import { readDemoFolder, resumableStart, writeDemoMarker, type DemoFolder } from './demo-marker.ts';
import { redactUrls } from '../core/redact.ts';
import { startPlatform, type Platform } from '../main.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { launchDemo, replaceDemoAdminKey, type RunningDemo } from '../services/demo/launch.ts';
import { systemClock } from '../services/traffic/clock.ts';
import { LiveTraffic } from '../services/traffic/live-traffic.ts';
import { districtCentre, spacingMetres } from '../services/demo/city.ts';
import { cityTime } from '../services/demo/kinds.ts';
import { defaultDemoOptions, type DemoOptions } from '../services/demo/runner.ts';
import { dataDirProblem } from './data-dir.ts';
import { ownValue } from '../core/input-checks.ts';
import { parseDecimal } from '../core/decimal.ts';
import { runUntilSignalled } from './signals.ts';
import { describeError } from '../core/describe-error.ts';
import { makeFolder } from '../adapters/files/folders.ts';

const usage = `usage: urban-brain demo [--speed X] [--sensors N] [--seed N] [serve options]

Runs the platform with a generated demo city streaming into it, and prints keys to sign in to the
dashboard at http://127.0.0.1:<port>/.

  --speed X        city time runs X times faster than the wall clock (default ${defaultDemoOptions.speed})
  --sensors N      sensors in the city, at least 200 (default ${defaultDemoOptions.sensorCount})
  --seed N         seed of the generated city (default ${defaultDemoOptions.seed})
  --report-millis N  wall time between two readings of one sensor (default ${defaultDemoOptions.reportMillis})

Everything is kept in memory unless --data-dir (or URBAN_BRAIN_DATA_DIR) is given (without it the
settings about the disk, --backup-keep, --store-memory-mb, --detector-memory-mb and
--wal-skip-corrupt, are refused). Serve options\n(--demo belongs to serve only):
${configUsage
  .split('\n')
  .slice(2)
  .join('\n')
  .replace('(URBAN_BRAIN_DATA_DIR, default ./data)', '(URBAN_BRAIN_DATA_DIR; the demo: in memory)')}`;

/** Lines go to stderr with the credentials of any URL in them hidden (`--mqtt-url`). */
function log(line: string): void {
  process.stderr.write(`urban-brain: ${redactUrls(line)}\n`);
}

const demoFlags: Record<string, { option: keyof DemoOptions; integer: boolean; min: number }> = {
  '--speed': { option: 'speed', integer: false, min: Number.MIN_VALUE },
  '--sensors': { option: 'sensorCount', integer: true, min: 200 },
  '--seed': { option: 'seed', integer: true, min: 0 },
  '--report-millis': { option: 'reportMillis', integer: true, min: 10 },
};

/** Splits the demo's own flags from the serve flags; a string says what is wrong. */
export function parseDemoArgs(args: string[]): { options: DemoOptions; rest: string[] } | string {
  const options: DemoOptions = { ...defaultDemoOptions };
  const rest: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const flag = ownValue(demoFlags, name);
    if (flag === undefined) {
      rest.push(arg);
      continue;
    }
    const text = inline ?? args[++index];
    // Decimal digits only: `Number()` read `0x10`, `1e3` and ' 5' as numbers.
    const value = text === undefined ? undefined : parseDecimal(text);
    if (value === undefined || (flag.integer && !Number.isInteger(value)) || value < flag.min) {
      return `${name} = ${JSON.stringify(text ?? null)}: must be ${flag.integer ? 'an integer' : 'a number'} ${flag.min === Number.MIN_VALUE ? '> 0' : `≥ ${flag.min}`}`;
    }
    options[flag.option] = value;
  }
  return { options, rest };
}

/** `urban-brain demo`: the platform plus the demo city, until SIGTERM or SIGINT. */
export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const parsed = parseDemoArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`urban-brain demo: ${parsed}\n\n${usage}`);
    return 2;
  }
  if (parsed.rest.some((arg) => arg === '--demo' || arg.startsWith('--demo='))) {
    process.stderr.write(
      `urban-brain demo: --demo is an option of serve; demo always runs the city\n\n${usage}`,
    );
    return 2;
  }
  const loaded = loadConfig(parsed.rest, undefined, { memoryWithoutDataDir: true });
  if (loaded.ok === 'help' || !loaded.ok) {
    process.stderr.write(
      `urban-brain demo: ${loaded.ok === 'help' ? 'see --help' : redactUrls(loaded.message)}\n\n${usage}`,
    );
    return 2;
  }
  applyHeapGrowth(loaded.config);
  if (loaded.config.memory) return runDemo(loaded.config, parsed.options);
  const notFolder = dataDirProblem(loaded.config.dataDir);
  if (notFolder !== undefined) {
    process.stderr.write(`urban-brain demo: ${notFolder}\n\n${usage}`);
    return 2;
  }
  let folder: DemoFolder;
  try {
    folder = readDemoFolder(loaded.config.dataDir);
  } catch (error) {
    log(`could not start: data folder ${loaded.config.dataDir}: ${describeError(error)}`);
    return 1;
  }
  if (folder.kind === 'foreign') {
    process.stderr.write(
      `urban-brain demo: ${loaded.config.dataDir} holds data the demo city did not write: give an empty ` +
        `or new --data-dir (or none, to keep it in memory)\n`,
    );
    return 2;
  }
  return runDemoInFolder(loaded.config, parsed.options, folder, '');
}

/**
 * Runs the demo city on a data folder that is empty (it is marked as the demo's) or that it filled
 * before (it goes on with that city when its options are the same). `hint` ends the line that says
 * which.
 */
export async function runDemoInFolder(
  config: Config,
  options: DemoOptions,
  folder: Exclude<DemoFolder, { kind: 'foreign' }>,
  hint: string,
): Promise<number> {
  const resumeFrom = resumableStart(folder, options, Date.now());
  if (folder.kind === 'empty') {
    try {
      makeFolder(config.dataDir);
      writeDemoMarker(config.dataDir);
    } catch (error) {
      log(`could not start: data folder ${config.dataDir}: ${describeError(error)}`);
      return 1;
    }
    log(`${config.dataDir} is empty: starting the demo city${hint}`);
  } else if (resumeFrom === null) {
    log(`${config.dataDir} holds the demo city: starting it again${hint}`);
  } else {
    log(`${config.dataDir} holds the demo city: going on with it${hint}`);
  }
  return runDemo(config, options, {
    ...(resumeFrom === null ? {} : { resumeFrom }),
    started: (atMillis) => writeDemoMarker(config.dataDir, { atMillis, city: options }),
  });
}

/** What `runDemo` may be told about the city it resumes, and told back once it runs. */
export interface DemoResume {
  /** Wall time of the city's first start, to resume it on the data it already sent. */
  resumeFrom?: number;
  /** Told the city's start (its first one when it resumes) once it is running. */
  started?(startedAtMillis: number): void;
}

/**
 * Where this process reaches the server it listens with on `host`: loopback for a wildcard address
 * (every interface), the address itself otherwise (an IPv6 one in brackets).
 */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Intersections per row and per column of the live signalised district. */
const districtSize = 6;

/** A started platform with the demo city streaming into it. */
interface StartedCity {
  lines: string[];
  keys: { url: string; operatorKey: string; viewerKey: string; adminKey: string | null };
  stop(): Promise<void>;
  /** The platform's `lost`. */
  lost: Promise<Error>;
}

/**
 * Runs the platform with `config` and the demo city streaming into it until SIGTERM or SIGINT.
 * Also what `serve` can call when it starts on an empty data directory. Without a configured admin
 * key, the demo needs one to register the city: it creates one named `demo admin` and prints it,
 * revoking the one the last start printed. A configured key is never printed. A signal during the
 * start lets the start finish (so the city's history is written once, and recorded), then stops.
 */
export async function runDemo(
  loadedConfig: Config,
  options: DemoOptions,
  resume: DemoResume = {},
): Promise<number> {
  const startup = startCity(loadedConfig, options, resume);
  let signalled = false;
  const lost = startup.then((city) =>
    typeof city === 'number' ? new Promise<Error>(() => undefined) : city.lost,
  );
  const finished = runUntilSignalled(
    async () => {
      signalled = true;
      const city = await startup;
      if (typeof city !== 'number') await city.stop();
    },
    log,
    undefined,
    lost,
  );
  const city = await startup;
  if (typeof city === 'number') return city;
  if (signalled) return finished;
  process.stdout.write(`${JSON.stringify(city.keys)}\n`);
  for (const line of city.lines) log(line);
  return finished;
}

/** Starts the platform, the live traffic district and the demo city; an exit code if it could not. */
async function startCity(
  loadedConfig: Config,
  options: DemoOptions,
  resume: DemoResume,
): Promise<StartedCity | number> {
  // The city's clock runs `speed` times faster: so does its sensors' learning (in city time).
  const learningSpanMillis = loadedConfig.learningSpanMillis / options.speed;
  const config: Config = { ...loadedConfig, learningSpanMillis };
  let running: RunningDemo | null = null;
  // Set once the district runs (in `startTraffic`, called by `launchDemo`).
  let traffic = null as LiveTraffic | null;
  let platform: Platform;
  let adminKey: string;
  try {
    platform = await startPlatform(config, log, {
      city: () => running?.views ?? null,
      emergencyVehicles: () => traffic,
      trafficStats: () => traffic?.stats() ?? null,
    });
  } catch (error) {
    log(`could not start: ${describeError(error)}`);
    return 1;
  }
  try {
    adminKey = config.adminKey ?? (await replaceDemoAdminKey(platform.keys, platform.generatedAdminKey));
  } catch (error) {
    log(`could not create the demo's admin key: ${(error as Error).message}`);
    await platform.stop();
    return 1;
  }
  const baseUrl = `http://${reachableHost(config.host)}:${platform.httpPort}`;
  // Traffic runs on the platform's CityFlow-faithful simulation with adaptive control, in process
  // (its detectors ingest through the same edge); the demo's own queue model stands in if it cannot start.
  const startTraffic = async (cityNow: (wallMillis: number) => number) => {
    try {
      const live = await LiveTraffic.start({
        edge: platform.edge,
        bus: platform.bus,
        registry: platform.registry,
        clock: systemClock,
        // Above about 240 simulated seconds per second the peak hours need more than a core.
        speed: Math.min(options.speed, 240),
        // On junctions of the city's street grid, around its centre.
        district: { rows: districtSize, columns: districtSize, spacingMetres },
        centre: districtCentre(options.sensorCount, districtSize),
        // The district starts at the city's local time of day (a resumed city is later in its day
        // than the wall clock), as the city's own models do.
        startSecondsOfDay: Math.floor(cityTime.hourOfDay(cityNow(systemClock.now())) * 3600),
        seed: options.seed,
        log,
      });
      traffic = live;
      return () => live.snapshot();
    } catch (error) {
      log(`live traffic simulation unavailable, using the demo's queue model: ${(error as Error).message}`);
      return null;
    }
  };
  try {
    running = await launchDemo({
      baseUrl,
      adminKey,
      demo: options,
      log,
      startTraffic,
      ...(resume.resumeFrom === undefined ? {} : { resumeFrom: resume.resumeFrom }),
    });
    resume.started?.(running.demo.status().startedAtMillis);
  } catch (error) {
    // fetch says only "fetch failed": its cause (a reset, a refused connection) is what tells why.
    const cause =
      error instanceof Error && error.cause !== undefined ? ` (${describeError(error.cause)})` : '';
    log(`the demo city could not start: ${describeError(error)}${cause}`);
    await traffic?.stop();
    await platform.stop();
    return 1;
  }
  const current = running;
  return {
    lines: [
      `demo city running: open ${baseUrl}/ and sign in with a key`,
      `  operator key: ${current.operatorKey}`,
      `  viewer key:   ${current.viewerKey}`,
      loadedConfig.adminKey === null
        ? `  admin key:    ${adminKey}`
        : '  admin key:    URBAN_BRAIN_ADMIN_KEY',
    ],
    // A configured admin key is the operator's own secret: it is not written anywhere (null).
    keys: {
      url: `${baseUrl}/`,
      operatorKey: current.operatorKey,
      viewerKey: current.viewerKey,
      adminKey: loadedConfig.adminKey === null ? adminKey : null,
    },
    async stop() {
      await current.stop();
      await traffic?.stop();
      await platform.stop();
    },
    lost: platform.lost,
  };
}
