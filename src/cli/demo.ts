import { configUsage, loadConfig, type Config } from '../config.ts';
import { redactUrls } from '../core/redact.ts';
import { startPlatform, type Platform } from '../main.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { launchDemo, replaceDemoAdminKey, type RunningDemo } from '../services/demo/launch.ts';
import { systemClock } from '../services/traffic/clock.ts';
import { LiveTraffic } from '../services/traffic/live-traffic.ts';
import { cityCentre } from '../services/demo/city.ts';
import { defaultDemoOptions, type DemoOptions } from '../services/demo/runner.ts';
import { runUntilSignalled } from './signals.ts';

const usage = `usage: urban-brain demo [--speed X] [--sensors N] [--seed N] [serve options]

Runs the platform with a generated demo city streaming into it, and prints keys to sign in to the
dashboard at http://127.0.0.1:<port>/.

  --speed X        city time runs X times faster than the wall clock (default ${defaultDemoOptions.speed})
  --sensors N      sensors in the city, at least 200 (default ${defaultDemoOptions.sensorCount})
  --seed N         seed of the generated city (default ${defaultDemoOptions.seed})
  --report-millis N  wall time between two readings of one sensor (default ${defaultDemoOptions.reportMillis})

Everything is kept in memory unless --data-dir (or URBAN_BRAIN_DATA_DIR) is given. Serve options\n(--demo belongs to serve only):
${configUsage.split('\n').slice(2).join('\n')}`;

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
    const flag = demoFlags[name];
    if (flag === undefined) {
      rest.push(arg);
      continue;
    }
    const text = inline ?? args[++index];
    const value = Number(text);
    if (
      text === undefined ||
      text === '' ||
      !Number.isFinite(value) ||
      (flag.integer && !Number.isInteger(value)) ||
      value < flag.min
    ) {
      return `${name} = ${JSON.stringify(text ?? null)}: must be ${flag.integer ? 'an integer' : 'a number'} ≥ ${flag.min === Number.MIN_VALUE ? '0 (exclusive)' : flag.min}`;
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
  return runDemo(loaded.config, parsed.options);
}

/**
 * Runs the platform with `config` and the demo city streaming into it until SIGTERM or SIGINT.
 * Also what `serve` can call when it starts on an empty data directory. Without a configured admin
 * key, the demo needs one to register the city: it creates one named `demo admin` and prints it,
 * revoking the one the last start printed. A configured key is never printed.
 */
export async function runDemo(
  loadedConfig: Config,
  options: DemoOptions,
  resume: {
    /** Wall time of the city's first start, to resume it on the data it already sent. */
    resumeFrom?: number;
    /** Told the city's start (its first one when it resumes) once it is running. */
    started?(startedAtMillis: number): void;
  } = {},
): Promise<number> {
  // The city's clock runs `speed` times faster: so does its sensors' learning (in city time).
  const learningSpanMillis = loadedConfig.learningSpanMillis / options.speed;
  const config: Config = { ...loadedConfig, learningSpanMillis };
  let running: RunningDemo | null = null;
  let platform: Platform;
  let adminKey: string;
  try {
    platform = await startPlatform(config, log, { city: () => running?.views ?? null });
  } catch (error) {
    log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    adminKey = config.adminKey ?? (await replaceDemoAdminKey(platform.keys, platform.generatedAdminKey));
  } catch (error) {
    log(`could not create the demo's admin key: ${(error as Error).message}`);
    await platform.stop();
    return 1;
  }
  const baseUrl = `http://127.0.0.1:${platform.httpPort}`;
  // Traffic runs on the platform's CityFlow-faithful simulation with adaptive control, in process
  // (its detectors ingest through the same edge); the demo's own queue model stands in if it cannot start.
  let traffic: LiveTraffic | null = null;
  try {
    traffic = await LiveTraffic.start({
      edge: platform.edge,
      bus: platform.bus,
      registry: platform.registry,
      clock: systemClock,
      // Above about 240 simulated seconds per second the peak hours need more than a core.
      speed: Math.min(options.speed, 240),
      district: { rows: 6, columns: 6, spacingMetres: 380 },
      centre: cityCentre,
      seed: options.seed,
      log,
    });
  } catch (error) {
    log(`live traffic simulation unavailable, using the demo's queue model: ${(error as Error).message}`);
  }
  try {
    const live = traffic;
    running = await launchDemo({
      baseUrl,
      adminKey,
      demo: options,
      log,
      ...(live === null ? {} : { traffic: () => live.snapshot() }),
      ...(resume.resumeFrom === undefined ? {} : { resumeFrom: resume.resumeFrom }),
    });
    resume.started?.(running.demo.status().startedAtMillis);
  } catch (error) {
    log(`the demo city could not start: ${(error as Error).message}`);
    await traffic?.stop();
    await platform.stop();
    return 1;
  }
  const lines = [
    `demo city running: open ${baseUrl}/ and sign in with a key`,
    `  operator key: ${running.operatorKey}`,
    `  viewer key:   ${running.viewerKey}`,
    loadedConfig.adminKey === null ? `  admin key:    ${adminKey}` : '  admin key:    URBAN_BRAIN_ADMIN_KEY',
  ];
  const current = running;
  // Signals are handled before the keys are printed: whoever reads them may stop the server at once.
  const finished = runUntilSignalled(async () => {
    await current.stop();
    await traffic?.stop();
    await platform.stop();
  }, log);
  process.stdout.write(
    // A configured admin key is the operator's own secret: it is not written anywhere (null).
    `${JSON.stringify({
      url: `${baseUrl}/`,
      operatorKey: running.operatorKey,
      viewerKey: running.viewerKey,
      adminKey: loadedConfig.adminKey === null ? adminKey : null,
    })}\n`,
  );
  for (const line of lines) log(line);
  return finished;
}
