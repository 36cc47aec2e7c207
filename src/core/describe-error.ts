/** One line for an error: its message, or the value itself. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
