import { generateGridDistrict } from '../../core/traffic/grid-roadnet.ts';

/** A 2 × 2 district of ten minutes' demand from 08:00, around 10° N 20° E. */
export function twoByTwo() {
  return generateGridDistrict({
    rows: 2,
    columns: 2,
    centre: { lat: 10, lon: 20 },
    durationSeconds: 600,
    startSecondsOfDay: 8 * 3600,
  });
}
