export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/**
 * How much a failure of each asset type costs the city, in [0, 1]. Types not listed weigh
 * `defaultCriticality`. Hospitals and substations carry lives or whole districts; a valve one street.
 */
export const assetCriticality: Readonly<Record<string, number>> = {
  hospital: 1,
  substation: 0.9,
  bridge: 0.9,
  'water-main': 0.8,
  transformer: 0.7,
  pump: 0.6,
  intersection: 0.5,
  valve: 0.4,
  building: 0.4,
};
export const defaultCriticality = 0.5;

/**
 * Severity of a work order from the strongest score, the asset type and how many distinct sensors
 * of the asset alerted. Points: 40% from how far the score is above the threshold (0 at the
 * threshold, 1 at a score of 1), 35% from the asset's criticality, 25% from corroboration (one sensor
 * 0, four or more sensors 1). Bands: < 0.35 low, < 0.55 medium, < 0.75 high, else critical.
 */
export function severityOf(
  score: number,
  threshold: number,
  assetType: string,
  sensorsAlerting: number,
): Severity {
  const headroom = threshold < 1 ? (score - threshold) / (1 - threshold) : 0;
  const excess = Math.min(1, Math.max(0, headroom));
  const criticality = assetCriticality[assetType] ?? defaultCriticality;
  const corroboration = Math.min(1, Math.max(0, (sensorsAlerting - 1) / 3));
  const points = 0.4 * excess + 0.35 * criticality + 0.25 * corroboration;
  if (points < 0.35) return 'low';
  if (points < 0.55) return 'medium';
  if (points < 0.75) return 'high';
  return 'critical';
}

/** The higher of two severities: a work order's severity never drops while it is active. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severities.indexOf(a) >= severities.indexOf(b) ? a : b;
}
