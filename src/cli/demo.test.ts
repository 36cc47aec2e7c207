import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDemoArgs, reachableHost, run } from './demo.ts';
import { captureOutput } from './output.test-helpers.ts';

test('takes the demo flags and leaves the serve flags to the platform', () => {
  const parsed = parseDemoArgs(['--speed', '600', '--sensors=5000', '--port', '0', '--memory']);
  assert.ok(typeof parsed !== 'string');
  assert.equal(parsed.options.speed, 600);
  assert.equal(parsed.options.sensorCount, 5000);
  assert.deepEqual(parsed.rest, ['--port', '0', '--memory']);
});

test('names the flag, the value and the rule when a demo flag is wrong', () => {
  assert.match(String(parseDemoArgs(['--sensors', '50'])), /--sensors = "50": must be an integer ≥ 200/);
  assert.match(String(parseDemoArgs(['--speed', 'fast'])), /--speed = "fast": must be a number/);
  assert.match(String(parseDemoArgs(['--seed'])), /--seed = null/);
  // Regression: read through Number(), hex, exponents and blanks passed as numbers.
  for (const text of ['0x10', '1e3', ' 300', '300 ', 'Infinity', '']) {
    assert.match(
      String(parseDemoArgs(['--sensors', text])),
      /--sensors = .*: must be an integer ≥ 200/,
      text,
    );
  }
  assert.match(String(parseDemoArgs(['--speed', '1e2'])), /--speed = "1e2": must be a number > 0/);
  const decimal = parseDemoArgs(['--speed', '0.5', '--seed', '0']);
  assert.ok(typeof decimal !== 'string');
  assert.equal(decimal.options.speed, 0.5);
  assert.equal(decimal.options.seed, 0);
});

test('exits with 2 on a usage error', async () => {
  assert.equal((await captureOutput(() => run(['--speed', '-1']))).value, 2);
  assert.equal((await captureOutput(() => run(['--no-such-flag']))).value, 2);
});

test('refuses a data folder holding data the demo city did not write, before starting anything', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-demo-'));
  writeFileSync(join(folder, 'urban-brain.duckdb'), 'a city’s real data');
  const { value: code, stderr } = await captureOutput(() =>
    run(['--data-dir', folder, '--port', '0', '--mqtt-port', '0']),
  );
  assert.equal(code, 2);
  assert.match(stderr, /holds data the demo city did not write: give an empty or new --data-dir/);
  assert.deepEqual(readdirSync(folder), ['urban-brain.duckdb'], 'nothing was written into it');
});

test('the demo reaches its server on loopback when it listens everywhere, else on the address it listens on', () => {
  assert.equal(reachableHost('0.0.0.0'), '127.0.0.1');
  assert.equal(reachableHost('::'), '[::1]');
  assert.equal(reachableHost('127.0.0.1'), '127.0.0.1');
  assert.equal(reachableHost('192.168.1.5'), '192.168.1.5');
  assert.equal(reachableHost('fd00::5'), '[fd00::5]');
  assert.equal(reachableHost('localhost'), 'localhost');
});
