/** Local flat projection around the city centre: metres east (x) and south (y, screen-down). */
export interface Projection {
  x(lon: number): number;
  y(lat: number): number;
}

export function projectionAround(centre: { lat: number; lon: number }): Projection {
  const metresPerDegree = 111_320;
  const eastScale = metresPerDegree * Math.cos((centre.lat * Math.PI) / 180);
  return {
    x: (lon) => (lon - centre.lon) * eastScale,
    y: (lat) => -(lat - centre.lat) * metresPerDegree,
  };
}
