/**
 * A `parseArgs` failure in one line. Its message may run over three (for `--base-port -5`, a value
 * that starts with a dash and so is taken for a flag); the first names the flag, and for that case
 * the way to give such a value is added.
 */
export function argumentsProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  const dashed = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
  return dashed === null
    ? first
    : `${first.replace(/\.$/, '')}: a value starting with a dash is given as ${dashed[1]}=VALUE`;
}
