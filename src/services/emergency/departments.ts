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

/** Capacity when the registry gives no tag for it. */
export const defaultTreatmentSpaces = 10;
export const defaultDoctorsOnShift = 4;

/** Tag names read for each figure; the first one present counts. */
const spaceTags = ['treatment_spaces', 'treatmentSpaces', 'beds'] as const;
const doctorTags = ['doctors_on_shift', 'doctorsOnShift', 'doctors'] as const;

/**
 * A whole number ≥ 0 from the first of `names` the asset has; `fallback` when it has none. A value
 * that is not a whole number ≥ 0 is a problem, and counts as 0 (no capacity) until it is fixed:
 * an ambulance is not sent on a guess.
 */
function capacityTag(
  asset: Asset,
  names: readonly string[],
  fallback: number,
): { value: number; problem?: string } {
  for (const name of names) {
    const text = asset.tags[name];
    if (text === undefined) continue;
    const value = Number(text.trim());
    if (/^\d+$/.test(text.trim()) && Number.isSafeInteger(value)) return { value };
    return {
      value: 0,
      problem: `tag ${name} ${JSON.stringify(text)} must be a whole number ≥ 0; counted as 0 (closed) until fixed`,
    };
  }
  return { value: fallback };
}

/** A registry hospital as the city level sees it, and what could not be read from its tags. */
export interface Department {
  hospital: Hospital;
  problems: string[];
}

/**
 * An emergency department as the registry describes it: an asset of type `hospital` with
 * coordinates, and its capacity in tags `treatment_spaces` (or `treatmentSpaces`, `beds`) and
 * `doctors_on_shift` (or `doctorsOnShift`, `doctors`): whole numbers ≥ 0, defaults 10 and 4 when
 * absent. 0 means closed: no patient is sent there. Hospitals without coordinates cannot be
 * routed to.
 */
export function departmentFromAsset(asset: Asset, referenceLatitude: number): Department | undefined {
  if (asset.type !== 'hospital' || asset.lat === null || asset.lon === null) return undefined;
  const spaces = capacityTag(asset, spaceTags, defaultTreatmentSpaces);
  const doctors = capacityTag(asset, doctorTags, defaultDoctorsOnShift);
  return {
    hospital: {
      id: asset.id,
      name: asset.name,
      location: toLocation(asset.lat, asset.lon, referenceLatitude),
      treatmentSpaces: spaces.value,
      doctorsOnShift: doctors.value,
    },
    problems: [spaces.problem, doctors.problem].filter((problem) => problem !== undefined),
  };
}

/** Kilometres along the Earth's surface between two points (haversine, mean radius). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const radians = Math.PI / 180;
  const dLat = (lat2 - lat1) * radians;
  const dLon = (lon2 - lon1) * radians;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * radians) * Math.cos(lat2 * radians) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** `departmentFromAsset` without the problems: the hospital as it is routed to. */
export function hospitalFromAsset(asset: Asset, referenceLatitude: number): Hospital | undefined {
  return departmentFromAsset(asset, referenceLatitude)?.hospital;
}
