import type { Hospital, Location } from '../../core/ems/hospital.ts';
import type { Asset } from '../../core/registry/asset.ts';

/** Kilometres per degree of latitude (mean). */
const kmPerDegreeLatitude = 110.574;
/** Kilometres per degree of longitude at the equator. */
const kmPerDegreeLongitude = 111.32;

/**
 * Plane coordinates for distances within one city: an equirectangular projection around
 * `referenceLatitude`, good to well under 1% over tens of kilometres.
 */
export function toLocation(lat: number, lon: number, referenceLatitude: number): Location {
  const scale = Math.cos((referenceLatitude * Math.PI) / 180);
  return { xKm: lon * kmPerDegreeLongitude * scale, yKm: lat * kmPerDegreeLatitude };
}

function wholeTag(asset: Asset, names: readonly string[], fallback: number): number {
  for (const name of names) {
    const text = asset.tags[name];
    if (text === undefined) continue;
    const value = Number(text);
    if (Number.isInteger(value) && value >= 1) return value;
  }
  return fallback;
}

/**
 * An emergency department as the registry describes it: an asset of type `hospital` with
 * coordinates, and its capacity in tags `treatment_spaces` and `doctors_on_shift`
 * (defaults 10 and 4 when absent). Hospitals without coordinates cannot be routed to.
 */
export function hospitalFromAsset(asset: Asset, referenceLatitude: number): Hospital | undefined {
  if (asset.type !== 'hospital' || asset.lat === null || asset.lon === null) return undefined;
  return {
    id: asset.id,
    name: asset.name,
    location: toLocation(asset.lat, asset.lon, referenceLatitude),
    treatmentSpaces: wholeTag(asset, ['treatment_spaces', 'treatmentSpaces', 'beds'], 10),
    doctorsOnShift: wholeTag(asset, ['doctors_on_shift', 'doctorsOnShift', 'doctors'], 4),
  };
}
