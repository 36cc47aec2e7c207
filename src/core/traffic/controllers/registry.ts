/** Controllers by name, as offered on the command line. */
import type { ControllerFactory } from '../controller.ts';
import { createActuatedPressure, defaultActuated } from './actuated-pressure.ts';
import { createAdvancedMaxPressure, createEfficientMaxPressure } from './advanced-max-pressure.ts';
import { parseControllerSpec } from './controller-spec.ts';
import { createFixedTime } from './fixed-time.ts';
import { createMaxPressure } from './max-pressure.ts';
import { createSotl } from './sotl.ts';

/**
 * Named controllers; `get`/`has` also accept a spec with settings
 * (`actuated-pressure:key=value;...`, see controller-spec.ts), while `keys`
 * lists the plain names only.
 */
class ControllerRegistry extends Map<string, ControllerFactory> {
  override get(name: string): ControllerFactory | undefined {
    const plain = super.get(name);
    if (plain !== undefined || !name.includes(':')) return plain;
    const spec = parseControllerSpec(name);
    if (!spec.ok) return undefined;
    return (_layouts, cadence) =>
      createActuatedPressure({ ...spec.settings, yellowSeconds: cadence.yellowSeconds });
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

export const controllerFactories: ReadonlyMap<string, ControllerFactory> = new ControllerRegistry([
  ['fixed', (layouts, cadence) => createFixedTime(layouts, cadence)],
  ['sotl', () => createSotl()],
  ['maxpressure', () => createMaxPressure()],
  ['efficient-mp', () => createEfficientMaxPressure()],
  ['advanced-mp', () => createAdvancedMaxPressure()],
  [
    'actuated-pressure',
    (_layouts, cadence) =>
      createActuatedPressure({ ...defaultActuated, yellowSeconds: cadence.yellowSeconds }),
  ],
]);

export const controllerNames: readonly string[] = [...controllerFactories.keys()];
