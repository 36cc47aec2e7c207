/**
 * `urban-brain eval traffic`: runs signal controllers on a CityFlow-format
 * scenario in the TypeScript engine (or in SUMO through TraCI with
 * `--engine sumo`) and reports travel times, throughput, queues and speed.
 */
import { constants } from 'node:os';
import { evaluateCityflow } from './eval-traffic-cityflow.ts';
import { readInvocation } from './eval-traffic-options.ts';
import { rowPrinter } from './eval-traffic-output.ts';
import { evaluateWithSumo } from './eval-traffic-sumo.ts';
import { usage, UsageError } from './eval-traffic-usage.ts';

export async function run(args: string[]): Promise<number> {
  try {
    const invocation = readInvocation(args);
    if (invocation.help) {
      process.stdout.write(usage);
      return 0;
    }
    const { names, settings } = invocation;
    // Each row is printed as its controller finishes: a stop or a later failure keeps it on stdout.
    const printRow = rowPrinter(invocation.json, { names, settings });
    if (invocation.engine === 'sumo') await evaluateWithSumo(invocation.sumocfg, names, settings, printRow);
    else await evaluateCityflow(invocation.roadnet, invocation.flow, names, settings, printRow);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // Node's parser explains some faults over several lines: one line here, as every usage error.
      const message = (error as Error).message.replaceAll(/\s*\n\s*/g, ' ');
      process.stderr.write(`eval traffic: ${message}\n\n${usage}`);
      return 2;
    }
    const signal = interruption(error);
    if (signal !== undefined) {
      process.stderr.write(`eval traffic: interrupted by ${signal}; SUMO stopped\n`);
      return 128 + constants.signals[signal];
    }
    process.stderr.write(`eval traffic: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The signal that stopped an isolated SUMO run (the adapter's `InterruptedError`), if that is what `error` is. */
function interruption(error: unknown): NodeJS.Signals | undefined {
  if (!(error instanceof Error) || error.name !== 'InterruptedError') return undefined;
  return (error as Error & { signal: NodeJS.Signals }).signal;
}
