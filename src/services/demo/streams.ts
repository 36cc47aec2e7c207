import type { City, DemoSensor } from './city.ts';

/** The NAB recordings the demo replays, and which sensor of the city plays each. */
export interface ReplayAssignment {
  file: string;
  /**
   * The labelled anomaly (NAB `combined_labels.json`) the live part leads up to: one the shipped
   * detectors can see, so that a real recorded failure is predicted during the demo.
   */
  labelAt: string;
  assetType: string;
  kind: string;
}

export const replayAssignments: readonly ReplayAssignment[] = [
  {
    file: 'machine_temperature_system_failure.csv',
    labelAt: '2013-12-16T17:25:00Z',
    assetType: 'pump',
    kind: 'temperature',
  },
  {
    file: 'ambient_temperature_system_failure.csv',
    labelAt: '2013-12-22T20:00:00Z',
    assetType: 'substation',
    kind: 'temperature',
  },
  { file: 'speed_7578.csv', labelAt: '2015-09-11T16:44:00Z', assetType: 'intersection', kind: 'speed' },
  {
    file: 'occupancy_6005.csv',
    labelAt: '2015-09-15T06:55:00Z',
    assetType: 'intersection',
    kind: 'occupancy',
  },
  {
    file: 'TravelTime_387.csv',
    labelAt: '2015-09-01T05:34:00Z',
    assetType: 'intersection',
    kind: 'travel-time',
  },
];

/**
 * Picks, for each recording, a sensor of the right asset type and kind, each on a different asset,
 * preferring assets near the city centre so that the failures are easy to find on the map.
 */
export function assignReplays(city: City): Map<string, ReplayAssignment> {
  const assetType = new Map(city.assets.map((asset) => [asset.id, asset.type]));
  const distance = (entry: DemoSensor): number =>
    Math.hypot((entry.sensor.lat ?? 0) - city.centre.lat, (entry.sensor.lon ?? 0) - city.centre.lon);
  const byDistance = [...city.sensors].sort((a, b) => distance(a) - distance(b));
  const taken = new Set<string>();
  const assigned = new Map<string, ReplayAssignment>();
  for (const assignment of replayAssignments) {
    const match = byDistance.find(
      (entry) =>
        entry.sensor.kind === assignment.kind &&
        assetType.get(entry.sensor.asset ?? '') === assignment.assetType &&
        !taken.has(entry.sensor.asset ?? ''),
    );
    if (match === undefined) continue;
    taken.add(match.sensor.asset ?? '');
    assigned.set(match.sensor.id, assignment);
  }
  return assigned;
}
