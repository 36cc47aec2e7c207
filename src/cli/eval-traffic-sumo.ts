/** `urban-brain eval traffic --engine sumo`: checks the configuration, then runs SUMO through the adapter. */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Settings } from './eval-traffic-options.ts';
import { settingsFields, type Row } from './eval-traffic-output.ts';
import { UsageError } from './eval-traffic-usage.ts';

/** Refuses, before SUMO starts, a --sumocfg that is missing, a directory or not a SUMO configuration. */
async function checkSumocfg(file: string): Promise<void> {
  let text: string;
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`--sumocfg ${file} is not a file`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as { code?: string }).code === 'ENOENT')
      throw new UsageError(`--sumocfg ${file} does not exist`);
    throw new UsageError(`--sumocfg: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!/<configuration[\s>]/.test(text) || !/<net-file\s+value="[^"]+"/.test(text)) {
    throw new UsageError(
      `--sumocfg ${file} is not a SUMO configuration (expected a <configuration> with <net-file value="..."/>)`,
    );
  }
}

/**
 * Runs each named controller (ours or SUMO's own programs) in SUMO; one row each, in order, passed
 * to `onRow` as soon as that controller finishes.
 */
export async function evaluateWithSumo(
  sumocfg: string,
  names: readonly string[],
  settings: Settings,
  onRow: (row: Row) => void,
): Promise<void> {
  await checkSumocfg(sumocfg);
  const file = new URL('../adapters/sumo/evaluate.ts', import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    throw new UsageError(
      '--engine sumo is not available: src/adapters/sumo/evaluate.ts is absent from this build',
    );
  }
  const module = (await import(file.href)) as {
    evaluateSumo?: (
      options: Record<string, unknown>,
      onResult: (result: Record<string, unknown>) => void,
    ) => Promise<unknown>;
  };
  if (typeof module.evaluateSumo !== 'function') {
    throw new UsageError(
      '--engine sumo is not available: src/adapters/sumo/evaluate.ts does not export evaluateSumo',
    );
  }
  // The adapter's rows carry the settings; the CLI's fill any it leaves out. Keys in the adapter's
  // order, which is the CityFlow rows' order (controller first).
  let index = 0;
  const toRow = (result: Record<string, unknown>): Row => ({
    ...result,
    controller: String(result.controller ?? names[index]),
    ...Object.fromEntries(Object.entries(settingsFields(settings)).filter(([key]) => !(key in result))),
  });
  await module.evaluateSumo(
    {
      sumocfg,
      controllers: names,
      steps: settings.steps,
      seed: settings.seed,
      phaseLimit: settings.phases,
      cadence: settings.cadence,
      yellowScope: settings.yellowScope,
    },
    (result) => {
      onRow(toRow(result));
      index++;
    },
  );
}
