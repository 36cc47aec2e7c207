import type { KeyService } from '../auth/keys.ts';
import { HospitalModel } from './hospitals.ts';
import { PlatformClient } from './platform-client.ts';
import { seededRandom } from './random.ts';
import { TrafficModel } from './traffic.ts';
import { loadRecording } from './recordings.ts';
import { startDemo, type Demo, type DemoOptions } from './runner.ts';
import { cityMap, type CityMap, type CityViews, type TrafficSnapshot } from './views.ts';

/** Wall time between two steps of the emergency departments (each makes at most a few dozen calls). */
const hospitalStepMillis = 1000;

export interface LaunchOptions {
  /** The running platform, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An admin key of that platform: it registers the city and creates the demo's keys. */
  adminKey: string;
  demo: DemoOptions;
  /**
   * Starts the platform's live traffic simulation once the city's clock is known (`cityNow`, the
   * city's time for a wall time: a resumed city is later in its day than the wall clock) and gives
   * its view; null, or without it, the demo runs its own light queue model of a central district.
   */
  startTraffic?: (cityNow: (wallMillis: number) => number) => Promise<(() => TrafficSnapshot | null) | null>;
  /** Wall time the city first started at, to resume it on a platform that holds what it sent. */
  resumeFrom?: number;
  log(line: string): void;
}

export interface RunningDemo {
  demo: Demo;
  views: CityViews;
  /** Keys created for people trying the dashboard. */
  operatorKey: string;
  viewerKey: string;
  stop(): Promise<void>;
}

/** Name of the admin key the demo creates when none is configured. */
export const demoAdminKeyName = 'demo admin';

/**
 * The demo's admin key when none is configured. Revokes the one an earlier start created (it was
 * printed, so it sits in that start's log) and `generatedSecret`, the admin key the platform
 * generated at this start if it did (the demo's key stands in for it), then creates a fresh one and
 * returns its secret: at any time one demo admin key works, the one printed last.
 */
export async function replaceDemoAdminKey(keys: KeyService, generatedSecret: string | null): Promise<string> {
  const generated = generatedSecret === null ? undefined : await keys.authenticate(generatedSecret);
  for (const key of await keys.list()) {
    if (key.revokedMillis !== null) continue;
    if (key.name === demoAdminKeyName || key.id === generated?.id) await keys.revoke(key.id);
  }
  return (await keys.create(demoAdminKeyName, 'admin')).secret;
}

/**
 * Starts the demo city against a running platform, through its public API only: registers the
 * city, creates a device key for the city's sensors, an operator key for its emergency departments
 * and an operator and a viewer key for people (revoking the ones an earlier run created), then
 * streams readings and runs the emergency departments until stopped.
 */
export async function launchDemo(options: LaunchOptions): Promise<RunningDemo> {
  const client = new PlatformClient(options.baseUrl, options.adminKey);
  client.useDeviceKey(await client.replaceKey('demo city sensors', 'device'));
  client.useOperatorKey(await client.replaceKey('demo emergency departments', 'operator'));
  const operatorKey = await client.replaceKey('demo operator', 'operator');
  const viewerKey = await client.replaceKey('demo viewer', 'viewer');
  const demo = await startDemo(
    {
      registry: client,
      ingestor: client,
      loadRecording,
      now: Date.now,
      log: options.log,
      ...(options.resumeFrom === undefined ? {} : { resumeFrom: options.resumeFrom }),
    },
    options.demo,
  );
  let map: CityMap | null = null;
  const { startedAtMillis, speed } = demo.status();
  const cityNow = (wall: number): number => startedAtMillis + (wall - startedAtMillis) * speed;
  const liveTraffic = (await options.startTraffic?.(cityNow)) ?? null;
  // The models start from the city's clock now (later than its start when it resumes); patient ids
  // carry this run's start, so they never repeat those of an earlier run still in the queues.
  const launchedAtMillis = Date.now();
  const launchedCityMillis = cityNow(launchedAtMillis);
  const traffic = new TrafficModel(demo.city, options.demo.seed + 2, launchedCityMillis);
  const hospitals = new HospitalModel(demo.city, {
    api: client,
    random: seededRandom(options.demo.seed + 3),
    startCityMillis: launchedCityMillis,
    idPrefix: `P${launchedAtMillis.toString(36)}`,
    log: options.log,
  });
  // The district follows the city clock; a failing step is logged, never thrown.
  const trafficTimer = setInterval(() => {
    const wall = Date.now();
    try {
      if (liveTraffic === null) traffic.advanceTo(cityNow(wall), wall);
    } catch (error) {
      options.log(`demo: traffic step failed: ${(error as Error).message}`);
    }
  }, 500);
  // The emergency departments talk to the platform once a second; a step still running skips the tick.
  let hospitalStep: Promise<void> | null = null;
  const hospitalTimer = setInterval(() => {
    if (hospitalStep !== null) return;
    const wall = Date.now();
    hospitalStep = hospitals
      .step(cityNow(wall), wall, Date.now)
      .catch((error: unknown) => options.log(`demo: hospital step failed: ${(error as Error).message}`))
      .finally(() => {
        hospitalStep = null;
      });
  }, hospitalStepMillis);
  const views: CityViews = {
    map: () => (map ??= cityMap(demo.city)),
    traffic: liveTraffic ?? (() => traffic.snapshot()),
  };
  return {
    demo,
    views,
    operatorKey,
    viewerKey,
    async stop() {
      clearInterval(trafficTimer);
      clearInterval(hospitalTimer);
      if (hospitalStep !== null) await hospitalStep;
      await demo.stop();
    },
  };
}
