/** Controllers by name, as offered on the command line. */
import type { ControllerFactory } from '../controller.ts';
import { createActuatedPressure, defaultActuated } from './actuated-pressure.ts';
import { createAdvancedMaxPressure, createEfficientMaxPressure } from './advanced-max-pressure.ts';
import { createFixedTime } from './fixed-time.ts';
import { createMaxPressure } from './max-pressure.ts';
import { createSotl } from './sotl.ts';

export const controllerFactories: ReadonlyMap<string, ControllerFactory> = new Map<string, ControllerFactory>(
  [
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
  ],
);

export const controllerNames: readonly string[] = [...controllerFactories.keys()];
