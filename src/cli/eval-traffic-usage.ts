/** The usage text of `urban-brain eval traffic` and its usage error (exit 2). */
import { controllerNames } from '../core/traffic/controllers/registry.ts';

/** SUMO's own signal programs, runnable with `--engine sumo`. */
export const sumoPrograms = ['static', 'actuated', 'delay_based'];

/** Bad input on the command line or in a scenario file: one line, then the usage, exit 2. */
export class UsageError extends Error {}

export const usage = `usage: urban-brain eval traffic --roadnet FILE --flow FILE --controller NAME|all [options]
       urban-brain eval traffic --engine sumo --sumocfg FILE --controller NAME|all [options]

Runs each controller for --steps 1 s steps and prints, per controller, the average travel
time in CityFlow's measure (att) and the Advanced-XLight measure (att_entering_lanes),
vehicles finished, average queue and delay, and simulation steps per second.

  --roadnet FILE           CityFlow roadnet JSON
  --flow FILE              CityFlow flow JSON
  --controller NAME|all    one of: ${controllerNames.join(', ')}, native (the roadnet's own plan)
                           (SUMO also: ${sumoPrograms.join(', ')}); several: a,b,c
                           actuated-pressure takes settings: actuated-pressure:KEY=N;KEY=N
                           (quote it; plain decimals, each key once), e.g. 'actuated-pressure:dischargeSecondsPerVehicle=3.5;minGreenSeconds=8'
  --steps N                simulated seconds (default 3600)
  --seed N                 seed of the random draws (default 0). CityFlow-model engine: a
                           vehicle's first lane where several lead on, and right of way between
                           two vehicles at equal distance from a crossing; where each lane serves
                           one turn (the Jinan and Hangzhou scenarios) every seed gives the same
                           rows. SUMO: SUMO's --seed (driver imperfection, speed factors)
  --phases N               green phases offered per intersection (default 4); an intersection
                           with fewer offers all it has, and rows report the largest count used
  --decision-seconds N     seconds between decisions, yellow included (default 15)
  --yellow-seconds N       yellow when the phase changes (default 5)
  --yellow-scope all|ending  (SUMO) which links a change turns yellow: all non-right-turn links
                           (default, the field's setting) or only those that lose green
  --engine cityflow|sumo   simulator (default cityflow: the TypeScript CityFlow model)
  --sumocfg FILE           SUMO configuration (with --engine sumo)
  --emergency ROADS@SECONDS  add an ambulance on the comma-separated route at that time (repeatable;
                           SECONDS below --steps); reports how many ambulances finished and their
                           mean travel time with and without emergency priority, and the other
                           vehicles' att in both runs. CityFlow-model engine only; not with native
                           (all leaves native out)
  --json                   one JSON object per controller per line
`;
