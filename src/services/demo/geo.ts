/** A point in WGS 84 degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

const metresPerDegree = 111_320;

/** Position `eastMetres`/`northMetres` away from `origin` (equirectangular; fine at city scale). */
export function offset(origin: LatLon, eastMetres: number, northMetres: number): LatLon {
  const lat = origin.lat + northMetres / metresPerDegree;
  const lon = origin.lon + eastMetres / (metresPerDegree * Math.cos((origin.lat * Math.PI) / 180));
  return { lat: round(lat), lon: round(lon) };
}

/** Seven decimals: about a centimetre, and stable text in GeoJSON. */
function round(degrees: number): number {
  return Math.round(degrees * 1e7) / 1e7;
}
