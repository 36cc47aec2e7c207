/**
 * The scenario a live run uses: a given CityFlow roadnet + flow (validated
 * here, at the edge), or else the generated grid district.
 */
import {
  type DemandTime,
  type GridDistrictOptions,
  type LatLon,
  demandTime,
  generateGridDistrict,
} from '../../core/traffic/grid-roadnet.ts';
import { type FlowSpec, type RoadnetSpec, parseFlows, parseRoadnet } from '../../core/traffic/scenario.ts';

export interface LiveScenario {
  readonly roadnet: RoadnetSpec;
  readonly flows: readonly FlowSpec[];
  /** Simulated seconds after which the demand repeats (a day for the generated district). */
  readonly periodSeconds: number;
  readonly centre: LatLon;
  /**
   * The time of day and its demand `elapsedSeconds` into a period, as the generated district's flow
   * follows them; null for a given flow, whose demand has no time of day.
   */
  readonly demandTime: ((elapsedSeconds: number) => DemandTime) | null;
}

export interface ScenarioInput {
  roadnet?: unknown;
  flow?: unknown;
  /** Where metre coordinates (0, 0) of the roadnet lie. */
  centre?: LatLon;
  /** Options of the generated district when no roadnet is given. */
  district?: Partial<GridDistrictOptions>;
  /** Time of day at simulation time 0 for the generated district. */
  startSecondsOfDay: number;
  /** Length of a given flow's demand, after which it restarts (default: its last start time + 1 h). */
  periodSeconds?: number;
}

/** Jinan's centre as a neutral default (the roadnet itself is generated, not Jinan's). */
export const defaultCentre: LatLon = { lat: 36.6512, lon: 117.1201 };

export function loadScenario(input: ScenarioInput): LiveScenario {
  const centre = input.centre ?? input.district?.centre ?? defaultCentre;
  if ((input.roadnet === undefined) !== (input.flow === undefined))
    throw new RangeError('roadnet and flow must be given together');
  if (input.roadnet !== undefined) {
    const roadnet = parseRoadnet(input.roadnet);
    if (!roadnet.ok) throw new RangeError(`roadnet: ${roadnet.reason}`);
    const flows = parseFlows(input.flow, roadnet.value);
    if (!flows.ok) throw new RangeError(`flow: ${flows.reason}`);
    const last = Math.max(0, ...flows.value.map((f) => Math.max(f.startTimeSeconds, f.endTimeSeconds)));
    return {
      roadnet: roadnet.value,
      flows: flows.value,
      periodSeconds: input.periodSeconds ?? last + 3600,
      centre,
      demandTime: null,
    };
  }
  const options: GridDistrictOptions = {
    rows: 6,
    columns: 6,
    ...input.district,
    centre,
    startSecondsOfDay: input.startSecondsOfDay,
    durationSeconds: 86_400,
  };
  const district = generateGridDistrict(options);
  const roadnet = parseRoadnet(district.roadnet);
  if (!roadnet.ok) throw new Error(`generated roadnet: ${roadnet.reason}`);
  const flows = parseFlows(district.flow, roadnet.value);
  if (!flows.ok) throw new Error(`generated flow: ${flows.reason}`);
  return {
    roadnet: roadnet.value,
    flows: flows.value,
    periodSeconds: 86_400,
    centre,
    demandTime: (elapsedSeconds) => demandTime(options, elapsedSeconds),
  };
}
