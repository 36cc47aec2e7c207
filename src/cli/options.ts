import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>['values'];

/**
 * Reads a subcommand's flags (`--help`/`-h` is added). On a bad flag prints the error and the usage
 * on stderr and gives exit code 2; on `--help` prints the usage on stdout and gives 0.
 */
export function readOptions<const O extends Options>(
  command: string,
  args: string[],
  options: O,
  usage: string,
): { ok: true; values: Values<O> } | { ok: false; exitCode: number } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${command}: ${(error as Error).message}\n\n${usage}`);
    return { ok: false, exitCode: 2 };
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    process.stdout.write(usage);
    return { ok: false, exitCode: 0 };
  }
  return { ok: true, values: parsed.values as Values<O> };
}

/** A count given on the command line: plain decimal digits only ('', '1e1', '0x3', '2.5' are NaN). */
export function wholeNumber(text: string | undefined): number {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN;
}
