import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { attribute } from './xml-attributes.ts';

/** SUMO's own signal programs offered as controllers. */
export const sumoPrograms = ['static', 'actuated', 'delay_based'] as const;
export type SumoProgram = (typeof sumoPrograms)[number];

export function isSumoProgram(name: string): name is SumoProgram {
  return (sumoPrograms as readonly string[]).includes(name);
}

/** Green-phase bounds of the adaptive programs, as in sumo_reference.json. */
export interface AdaptiveBounds {
  readonly minDurationSeconds: number;
  readonly maxDurationSeconds: number;
}

export const referenceBounds: AdaptiveBounds = { minDurationSeconds: 5, maxDurationSeconds: 60 };

/** The net file named by a .sumocfg (`<net-file value=...>`), resolved against the config's folder. */
export function netFileOf(sumocfgPath: string): string {
  const text = readFileSync(sumocfgPath, 'utf8');
  const match = /<net-file\s+value="([^"]+)"/.exec(text);
  if (!match?.[1]) throw new Error(`${sumocfgPath}: no <net-file value="..."/> in the configuration`);
  return resolve(dirname(sumocfgPath), match[1]);
}

/** The route files named by a .sumocfg (`<route-files value=...>`, comma-separated), resolved likewise. */
export function routeFilesOf(sumocfgPath: string): string[] {
  const text = readFileSync(sumocfgPath, 'utf8');
  const match = /<route-files\s+value="([^"]+)"/.exec(text);
  if (!match?.[1]) throw new Error(`${sumocfgPath}: no <route-files value="..."/> in the configuration`);
  return match[1]
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file !== '')
    .map((file) => resolve(dirname(sumocfgPath), file));
}

/**
 * An additional-file document that redefines every tlLogic of the net as `type` (actuated or
 * delay_based) with the same phases: green phases (any G/g) get minDur/maxDur, others (yellow)
 * keep their fixed duration. The program id equals the type name.
 */
export function adaptiveProgramsXml(
  netXml: string,
  type: Exclude<SumoProgram, 'static'>,
  bounds: AdaptiveBounds,
): string {
  const lines = ['<additional>'];
  const logicPattern = /<tlLogic\s+([^>]*?)>([\s\S]*?)<\/tlLogic>/g;
  for (const logic of netXml.matchAll(logicPattern)) {
    const id = attribute(logic[1] ?? '', 'id');
    if (!id) throw new Error('net file: a <tlLogic> has no id');
    lines.push(`  <tlLogic id="${id}" type="${type}" programID="${type}" offset="0">`);
    for (const phase of (logic[2] ?? '').matchAll(/<phase\s+([^>]*?)\/>/g)) {
      const duration = attribute(phase[1] ?? '', 'duration');
      const state = attribute(phase[1] ?? '', 'state');
      if (!duration || !state)
        throw new Error(`net file: tlLogic ${id} has a phase without duration or state`);
      const bounded = /[Gg]/.test(state)
        ? ` minDur="${bounds.minDurationSeconds}" maxDur="${bounds.maxDurationSeconds}"`
        : '';
      lines.push(`    <phase duration="${duration}"${bounded} state="${state}"/>`);
    }
    lines.push('  </tlLogic>');
  }
  lines.push('</additional>');
  return lines.join('\n') + '\n';
}

/**
 * An additional-file document that shows every link of every tlLogic green for the whole run
 * (program id `all_green`). Not a controller: vehicles meet at the junctions without any signal.
 * With every vehicle alone on the network it gives the lone-vehicle bound (lone-vehicle.ts).
 */
export function allGreenProgramsXml(netXml: string, durationSeconds: number): string {
  const lines = ['<additional>'];
  for (const logic of netXml.matchAll(/<tlLogic\s+([^>]*?)>([\s\S]*?)<\/tlLogic>/g)) {
    const id = attribute(logic[1] ?? '', 'id');
    const state = /<phase\s[^>]*?state="([^"]*)"/.exec(logic[2] ?? '')?.[1];
    if (!id || !state) throw new Error('net file: a <tlLogic> has no id or no phase state');
    lines.push(`  <tlLogic id="${id}" type="static" programID="all_green" offset="0">`);
    lines.push(`    <phase duration="${durationSeconds}" state="${'G'.repeat(state.length)}"/>`);
    lines.push('  </tlLogic>');
  }
  lines.push('</additional>');
  return lines.join('\n') + '\n';
}
