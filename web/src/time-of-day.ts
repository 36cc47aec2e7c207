import type { TrafficSnapshot } from './types.ts';

type DemandTime = NonNullable<TrafficSnapshot['timeOfDay']>;

/** A share of the day's peak demand from which the hour counts as a peak (both models' peaks reach 1 around 08:00 and 17:30–18:00). */
const peakShare = 0.75;
/** Below it, the quiet hours: from about 20:30 to 05:30 in the live district. */
const quietShare = 0.25;

/** The part of the day its demand puts the district in. */
export function demandPeriod(time: DemandTime): string {
  if (time.demandShareOfPeak >= peakShare)
    return time.secondsOfDay < 13 * 3600 ? 'morning peak' : 'evening peak';
  return time.demandShareOfPeak < quietShare ? 'quiet hours' : 'off-peak';
}

/** hh:mm of seconds after midnight. */
export function clockTime(secondsOfDay: number): string {
  const minutes = Math.floor(secondsOfDay / 60);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;
}

/**
 * The simulated time of day that drives the demand, in words: "Simulated time of day 07:00 (120×
 * real time), morning peak: demand 89 % of the day's peak." `speed` is left out when unknown.
 */
export function timeOfDayText(time: DemandTime, speed: number | undefined): string {
  const pace = speed === undefined ? '' : ` (${speed}× real time)`;
  const share = Math.round(100 * time.demandShareOfPeak);
  return `Simulated time of day ${clockTime(time.secondsOfDay)}${pace}, ${demandPeriod(time)}: demand ${share} % of the day's peak.`;
}
