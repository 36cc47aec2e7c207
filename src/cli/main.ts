/**
 * The `urban-brain` command: dispatches to one module per subcommand.
 * Each module exports `run(args)` and resolves to the process exit code.
 */
export type Subcommand = { run(args: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  serve: { summary: 'run the platform (HTTP API, MQTT, store)', load: () => import('./serve.ts') },
  demo: { summary: 'run the platform with the demo city', load: () => import('./demo.ts') },
  detect: { summary: 'score a CSV file with an anomaly detector', load: () => import('./detect.ts') },
  triage: { summary: 'assign triage levels to patients in a CSV file', load: () => import('./triage.ts') },
  'eval nab': {
    summary: 'score a detector on the Numenta Anomaly Benchmark',
    load: () => import('./eval-nab.ts'),
  },
  'eval traffic': {
    summary: 'compare signal controllers in a simulator',
    load: () => import('./eval-traffic.ts'),
  },
  'eval triage': { summary: 'cross-validate the triage engine', load: () => import('./eval-triage.ts') },
  'eval ems': { summary: 'simulate ambulance destination choice', load: () => import('./eval-ems.ts') },
};

/** The package's version, from its package.json. */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `usage: urban-brain <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun a command with --help for its options; --version prints the version.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`urban-brain ${await version()}\n`);
    return 0;
  }
  const two = second !== undefined ? `${first} ${second}` : '';
  const entry = commands[two] ?? commands[first];
  if (entry === undefined) {
    const targets = Object.keys(commands)
      .filter((name) => name.startsWith(`${first} `))
      .map((name) => name.slice(first.length + 1));
    if (targets.length > 0 && (second === '--help' || second === '-h')) {
      const group = Object.entries(commands)
        .filter(([name]) => name.startsWith(`${first} `))
        .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
      process.stdout.write(
        `usage: urban-brain ${first} <${targets.join('|')}> [options]\n\n${group.join('\n')}\n`,
      );
      return 0;
    }
    const problem =
      targets.length > 0 && (second === undefined || second.startsWith('-'))
        ? `'${first}' needs one of: ${targets.join(', ')}`
        : `unknown command '${argv.join(' ')}'`;
    process.stderr.write(`urban-brain: ${problem}\n\n${usage()}`);
    return 2;
  }
  const args = commands[two] !== undefined ? rest : argv.slice(1);
  const module = await entry.load();
  return module.run(args);
}
