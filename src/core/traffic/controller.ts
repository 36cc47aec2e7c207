/**
 * Engine-neutral signal-controller contract. The CityFlow-faithful engine in
 * this folder and the SUMO adapter both fill `IntersectionObservation`; a
 * controller sees only what detectors on the road would see (no flow file,
 * no routes).
 */

/** One movement through an intersection: incoming lanes to outgoing lanes. */
export interface Movement {
  /** Stable id, e.g. CityFlow road-link index or SUMO link index. */
  readonly id: string;
  readonly incomingLanes: readonly string[];
  readonly outgoingLanes: readonly string[];
  /** Right turns are always allowed in the field's 4-phase setting. */
  readonly rightTurn: boolean;
  /** Incoming/outgoing road ids (for grouping lanes into roads). */
  readonly incomingRoad: string;
  readonly outgoingRoad: string;
}

/** A green phase: the movements it serves. */
export interface Phase {
  /** Index as used by the engine when the phase is chosen. */
  readonly index: number;
  readonly movementIds: readonly string[];
}

/** Detector view of one lane at the moment of the decision. */
export interface LaneState {
  readonly vehicles: number;
  /** Vehicles with speed < 0.1 m/s. */
  readonly waitingVehicles: number;
  /** Moving vehicles within `approachMetres` of the lane end (stop line). */
  readonly approachingVehicles: number;
  /** Vehicles within `approachMetres` of the lane end (moving or not). */
  readonly nearVehicles: number;
  readonly lengthMetres: number;
  /** Length of the detection zone used for `approachingVehicles`/`nearVehicles`. */
  readonly approachMetres: number;
}

/** Static description of an intersection (does not change during a run). */
export interface IntersectionLayout {
  readonly id: string;
  readonly movements: readonly Movement[];
  /** Candidate green phases the controller chooses among. */
  readonly phases: readonly Phase[];
  /** Ids of neighbouring controlled intersections (upstream or downstream). */
  readonly neighbourIds: readonly string[];
}

/** What a controller sees at a decision point. */
export interface IntersectionObservation {
  readonly layout: IntersectionLayout;
  /** Lane id -> detector state; every lane named in `layout.movements`. */
  readonly lanes: ReadonlyMap<string, LaneState>;
  /** Index of the current green phase (one of `layout.phases[i].index`). */
  readonly currentPhase: number;
  /** Seconds since the current green phase started. */
  readonly secondsInPhase: number;
  /** Simulation time in seconds. */
  readonly timeSeconds: number;
}

/** Per-run view across intersections, for coordinating controllers. */
export interface NetworkObservation {
  readonly intersections: ReadonlyMap<string, IntersectionObservation>;
  readonly timeSeconds: number;
}

/** Decision cadence, in the field's setting: 15 s per decision incl. 5 s yellow. */
export interface DecisionCadence {
  /** Seconds between decisions (green + yellow). */
  readonly decisionSeconds: number;
  /** Yellow (all red except right turns) inserted when the phase changes. */
  readonly yellowSeconds: number;
  /** Detection zone length for `approachingVehicles`/`nearVehicles`. */
  readonly approachMetres: number;
}

export const defaultCadence: DecisionCadence = {
  decisionSeconds: 15,
  yellowSeconds: 5,
  approachMetres: 100,
};

/** Optional priority request (emergency vehicle) visible to controllers. */
export interface PriorityRequest {
  /** Movement id the priority vehicle will use next at this intersection. */
  readonly movementId: string;
  /** Estimated seconds until the vehicle reaches the stop line. */
  readonly etaSeconds: number;
}

/**
 * A decision for one intersection. If `phase` differs from the current one
 * the engine first shows `cadence.yellowSeconds` of yellow (right turns
 * only), then the new green. The next decision for this intersection comes
 * `nextDecisionSeconds` later (default `cadence.decisionSeconds`; the yellow
 * counts inside it).
 */
export interface Decision {
  readonly phase: number;
  readonly nextDecisionSeconds?: number;
}

/**
 * A signal controller for a whole network. `decide` is called at each
 * decision point with the ids of the intersections whose timer is due, and
 * returns a decision per due intersection id (a missing id keeps its phase
 * for another `cadence.decisionSeconds`). Controllers may keep state.
 */
export interface SignalController {
  readonly name: string;
  /** Detection zone (metres before the stop line) this controller wants; default `cadence.approachMetres`. */
  readonly detectionMetres?: number;
  /** Settings that depart from the cadence (e.g. variable decision intervals), for reports. */
  readonly settings?: Readonly<Record<string, number>>;
  decide(
    network: NetworkObservation,
    due: readonly string[],
    priority?: ReadonlyMap<string, PriorityRequest>,
  ): Map<string, Decision>;
}

/** Creates a fresh controller for the given layouts and cadence. */
export type ControllerFactory = (
  layouts: readonly IntersectionLayout[],
  cadence: DecisionCadence,
) => SignalController;
