/**
 * Controller specs with settings: `actuated-pressure:dischargeSecondsPerVehicle=3.5;minGreenSeconds=8`
 * runs `actuated-pressure` with those settings over its defaults. This lets a simulator with a
 * different vehicle model (e.g. SUMO's Krauss drivers, who discharge slower than CityFlow's) get
 * its own green sizing by name, through any path that passes controller names.
 */
import type { ActuatedSettings } from './actuated-pressure.ts';
import { defaultActuated } from './actuated-pressure.ts';
import { parseDecimal } from '../../decimal.ts';

export type ControllerSpec =
  | { readonly ok: true; readonly name: string; readonly settings: ActuatedSettings }
  | { readonly ok: false; readonly reason: string };

const tunable = new Set(Object.keys(defaultActuated).filter((key) => key !== 'yellowSeconds'));

/**
 * Parses `name:key=value;...`; only `actuated-pressure` takes settings. Each key at most once, and
 * the green bounds in order: a later value or a minimum above the maximum would be silently lost.
 */
export function parseControllerSpec(spec: string): ControllerSpec {
  const colon = spec.indexOf(':');
  if (colon < 0) return { ok: false, reason: `controller spec '${spec}' has no ':settings' part` };
  const name = spec.slice(0, colon);
  if (name !== 'actuated-pressure') {
    return { ok: false, reason: `controller '${name}' takes no settings (only actuated-pressure does)` };
  }
  const settings: Record<string, number> = { ...defaultActuated };
  const given = new Set<string>();
  for (const pair of spec.slice(colon + 1).split(';')) {
    const [key, text, extra] = pair.split('=');
    if (key === undefined || text === undefined || extra !== undefined || !tunable.has(key)) {
      return {
        ok: false,
        reason: `controller spec '${spec}': '${pair}' must be KEY=NUMBER with KEY one of ${[...tunable].join(', ')}`,
      };
    }
    // Plain decimals only (`8`, `3.5`): `1e1`, `0x10` and ` 8` are refused, as the CLI's integer options refuse them.
    const value = parseDecimal(text);
    if (value === undefined || value < 0) {
      return {
        ok: false,
        reason: `controller spec '${spec}': ${key} must be a number >= 0, got '${text}' (plain decimals only, e.g. 8 or 3.5)`,
      };
    }
    if (given.has(key)) return { ok: false, reason: `controller spec '${spec}': ${key} is given twice` };
    given.add(key);
    settings[key] = value;
  }
  const { minGreenSeconds, maxGreenSeconds } = settings as unknown as ActuatedSettings;
  if (minGreenSeconds > maxGreenSeconds) {
    return {
      ok: false,
      reason: `controller spec '${spec}': minGreenSeconds (${minGreenSeconds}) must not exceed maxGreenSeconds (${maxGreenSeconds})`,
    };
  }
  return { ok: true, name, settings: settings as unknown as ActuatedSettings };
}
