#!/usr/bin/env node
// Entry point of the `urban-brain` command. Runs the TypeScript sources through tsx's loader.
import { setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A safety net: a failed command exits even if something it opened (a connection that reconnects
// for ever) was left open.
if (code !== 0) setTimeout(() => process.exit(code), 5_000).unref();
