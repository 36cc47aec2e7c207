/**
 * The lone-vehicle bound on a scenario's average travel time: each vehicle's route driven by a
 * vehicle alone on the network with every signal green. No signal plan can do better, since a
 * vehicle can only lose time to others and to signals; what is left is the network's own (turns,
 * starting from a stop, SUMO's driver imperfection). This file holds the pure parts: reading the
 * vehicles of a route file, writing the lone runs' route file, and the bound from their trips.
 */
import { attribute, withoutAttributes } from './xml-attributes.ts';

/** A vehicle of a SUMO route file with its route written out. */
export interface RoutedVehicle {
  readonly id: string;
  readonly departSeconds: number;
  /** Space-separated edge ids. */
  readonly edges: string;
  /** The vehicle's other attributes (type, departLane, departSpeed, ...), as written. */
  readonly attributes: string;
}

export interface RouteFile {
  /** `<vType>` elements, as written. */
  readonly vehicleTypes: readonly string[];
  readonly vehicles: readonly RoutedVehicle[];
}

const elementPattern = /<(vehicle|vType|route|flow|trip|personFlow|person)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;

/**
 * The vehicles of a SUMO route file, each with its route (nested `<route edges>` or a top-level
 * `<route id>` it names). Flows, trips and persons have no fixed route to drive alone: they are
 * refused, naming the element.
 */
export function parseRouteFile(xml: string, fileName = 'route file'): RouteFile {
  const namedRoutes = new Map<string, string>();
  const vehicleTypes: string[] = [];
  const pending: {
    id: string;
    depart: string;
    route: string | undefined;
    nested: string | undefined;
    rest: string;
  }[] = [];
  for (const match of xml.matchAll(elementPattern)) {
    const [element, name = '', attributes = '', , body = ''] = match;
    if (name === 'vType') vehicleTypes.push(element);
    else if (name === 'route') {
      const id = attribute(attributes, 'id');
      const edges = attribute(attributes, 'edges');
      if (id !== undefined && edges !== undefined) namedRoutes.set(id, edges);
    } else if (name === 'vehicle') {
      const id = attribute(attributes, 'id');
      const depart = attribute(attributes, 'depart');
      if (id === undefined || depart === undefined) {
        throw new Error(`${fileName}: a <vehicle> without id or depart: <vehicle${attributes.slice(0, 80)}>`);
      }
      const nested = /<route\b([^>]*?)\/?>/.exec(body)?.[1];
      pending.push({
        id,
        depart,
        route: attribute(attributes, 'route'),
        nested: nested === undefined ? undefined : attribute(nested, 'edges'),
        rest: withoutAttributes(attributes, ['id', 'depart', 'route']),
      });
    } else {
      const id = attribute(attributes, 'id') ?? '';
      throw new Error(
        `${fileName}: <${name} id="${id}"> has no route of its own; the lone-vehicle bound needs vehicles with routes`,
      );
    }
  }
  const vehicles = pending.map(({ id, depart, route, nested, rest }) => {
    const departSeconds = Number(depart);
    if (depart.trim() === '' || !Number.isFinite(departSeconds) || departSeconds < 0) {
      throw new Error(`${fileName}: vehicle ${id}: depart="${depart}" is not a time in seconds`);
    }
    const edges = nested ?? (route === undefined ? undefined : namedRoutes.get(route));
    if (edges === undefined || edges.trim() === '') {
      throw new Error(
        route === undefined
          ? `${fileName}: vehicle ${id} has no route (no route attribute, no <route edges> inside)`
          : `${fileName}: vehicle ${id} names route "${route}", which the file does not define`,
      );
    }
    return { id, departSeconds, edges: edges.trim(), attributes: rest };
  });
  return { vehicleTypes, vehicles };
}

/**
 * A route file in which each vehicle departing before `steps` drives its route alone, in the
 * order given, departures `spacingSeconds` apart: vehicles never meet as long as each arrives
 * within that time (checked on the trips). Lone vehicle `lone<i>_<id>` is `vehicles[i]`; with a speed
 * factor for its id (the one SUMO drew for it in a run of the scenario), it drives at that.
 */
export function loneRoutesXml(
  vehicleTypes: readonly string[],
  vehicles: readonly RoutedVehicle[],
  speedFactors: ReadonlyMap<string, number>,
  spacingSeconds: number,
): string {
  const lines = ['<routes>', ...vehicleTypes.map((type) => `  ${type}`)];
  vehicles.forEach((vehicle, index) => {
    const factor = speedFactors.get(vehicle.id);
    const speed = factor === undefined ? '' : ` speedFactor="${factor}"`;
    lines.push(
      `  <vehicle id="lone${index}_${vehicle.id}" depart="${index * spacingSeconds}"${speed}${vehicle.attributes}>` +
        `<route edges="${vehicle.edges}"/></vehicle>`,
    );
  });
  lines.push('</routes>');
  return lines.join('\n') + '\n';
}

/** One lone trip from tripinfo output: `index` into the vehicles the route file was written for. */
export interface LoneTrip {
  readonly index: number;
  readonly durationSeconds: number;
  readonly timeLossSeconds: number;
  readonly finished: boolean;
}

export interface LoneVehicleBound {
  /** Mean over the scenario's vehicles of their lone travel time, cut off at the end as the run's is. */
  readonly averageTravelSeconds: number;
  /**
   * Mean time lost to the network alone (turns, starting from a stop, driver imperfection) over the
   * vehicles whose lone trip fits in the run.
   */
  readonly averageTimeLossSeconds: number;
  readonly vehicles: number;
}

/**
 * The bound from the lone trips of `vehicles` (all departing before `steps`): the mean of
 * min(lone duration, steps − depart), as SUMO measures a trip unfinished at the end (its time so
 * far). Assumes each vehicle enters when it is scheduled to.
 */
export function loneVehicleBound(
  vehicles: readonly RoutedVehicle[],
  trips: readonly LoneTrip[],
  steps: number,
): LoneVehicleBound {
  const tripOf = new Map(trips.map((trip) => [trip.index, trip]));
  let travel = 0;
  let timeLoss = 0;
  let fitting = 0;
  vehicles.forEach((vehicle, index) => {
    const trip = tripOf.get(index);
    if (trip === undefined) throw new Error(`no lone trip for vehicle ${vehicle.id}`);
    if (!trip.finished) throw new Error(`the lone trip of vehicle ${vehicle.id} did not arrive`);
    if (vehicle.departSeconds >= steps) throw new Error(`vehicle ${vehicle.id} departs after the run's end`);
    const left = steps - vehicle.departSeconds;
    travel += Math.min(trip.durationSeconds, left);
    if (trip.durationSeconds <= left) {
      timeLoss += trip.timeLossSeconds;
      fitting += 1;
    }
  });
  return {
    averageTravelSeconds: vehicles.length > 0 ? travel / vehicles.length : 0,
    averageTimeLossSeconds: fitting > 0 ? timeLoss / fitting : 0,
    vehicles: vehicles.length,
  };
}
