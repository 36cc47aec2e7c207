/**
 * Runs `run` with the text it writes to stdout and stderr captured instead of printed. Bytes
 * written as buffers still go out: the test runner reports each finished test on this process's
 * stdout as bytes, and a capture that swallowed them lost those tests from the run (not counted,
 * a failure without its message) whenever a report was flushed while the capture was on.
 */
export async function captureOutput<T>(
  run: () => Promise<T>,
): Promise<{ value: T; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const restore = [intercept(process.stdout, stdout), intercept(process.stderr, stderr)];
  try {
    const value = await run();
    return { value, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const undo of restore) undo();
  }
}

function intercept(stream: NodeJS.WriteStream, into: string[]): () => void {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return original.call(stream, chunk, ...rest);
    into.push(chunk);
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = original;
  };
}
