import type { ControllerFactory } from '../../core/traffic/controller.ts';
import { controllerFactories } from '../../core/traffic/controllers/registry.ts';
import { sumoPrograms } from './programs.ts';

/** Resolves one of the core's controllers by name for a SUMO run. */
export function resolveController(name: string): ControllerFactory | undefined {
  return controllerFactories.get(name);
}

/** Every controller name a SUMO run accepts: SUMO's own programs, then the core's controllers. */
export function sumoControllerNames(): string[] {
  return [...sumoPrograms, ...controllerFactories.keys()];
}
