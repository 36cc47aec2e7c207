import { HospitalModel } from './hospitals.ts';
import { PlatformClient } from './platform-client.ts';
import { seededRandom } from './random.ts';
import { TrafficModel } from './traffic.ts';
import { loadRecording } from './recordings.ts';
import { startDemo, type Demo, type DemoOptions } from './runner.ts';
import { cityMap, type CityMap, type CityViews, type TrafficSnapshot } from './views.ts';

export interface LaunchOptions {
  /** The running platform, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An admin key of that platform: it registers the city and creates the demo's keys. */
  adminKey: string;
  demo: DemoOptions;
  /**
   * The traffic view from the platform's live traffic simulation, when one runs; without it the
   * demo runs its own light queue model of a central district.
   */
  traffic?: () => TrafficSnapshot | null;
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

/**
 * Starts the demo city against a running platform, through its public API only: registers the
 * city, creates a device key for the city's sensors and an operator and a viewer key for people
 * (revoking the ones an earlier run created), then streams readings until stopped.
 */
export async function launchDemo(options: LaunchOptions): Promise<RunningDemo> {
  const client = new PlatformClient(options.baseUrl, options.adminKey);
  client.useDeviceKey(await client.replaceKey('demo city sensors', 'device'));
  const operatorKey = await client.replaceKey('demo operator', 'operator');
  const viewerKey = await client.replaceKey('demo viewer', 'viewer');
  const demo = await startDemo(
    { registry: client, ingestor: client, loadRecording, now: Date.now, log: options.log },
    options.demo,
  );
  let map: CityMap | null = null;
  const { startedAtMillis, speed } = demo.status();
  const cityNow = (wall: number): number => startedAtMillis + (wall - startedAtMillis) * speed;
  const traffic = new TrafficModel(demo.city, options.demo.seed + 2, startedAtMillis);
  const hospitals = new HospitalModel(demo.city, seededRandom(options.demo.seed + 3), startedAtMillis);
  // The district and the emergency departments follow the city clock; a failing step is logged, never thrown.
  const timer = setInterval(() => {
    const wall = Date.now();
    try {
      if (options.traffic === undefined) traffic.advanceTo(cityNow(wall), wall);
      hospitals.advanceTo(cityNow(wall));
    } catch (error) {
      options.log(`demo: traffic or hospital step failed: ${(error as Error).message}`);
    }
  }, 500);
  const views: CityViews = {
    map: () => (map ??= cityMap(demo.city)),
    traffic: options.traffic ?? (() => traffic.snapshot()),
    hospitals: () => hospitals.snapshot(Date.now()),
  };
  return {
    demo,
    views,
    operatorKey,
    viewerKey,
    async stop() {
      clearInterval(timer);
      await demo.stop();
    },
  };
}
