import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = new URL('../../bin/urban-brain.js', import.meta.url).pathname;

void test('triage prints row,level for every input row in order; an unusable row gets an empty level and an error on stderr', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'triage-'));
  const file = path.join(folder, 'new.csv');
  const rows = [
    'Sex;Age;Arrival mode;Injury;Chief_complain;Mental;Pain;NRS_pain;SBP;DBP;HR;RR;BT;Saturation',
    '2;45;3;1;ant. chest pain;1;1;6;150;90;130;20;36,8;88',
    '1;??;3;1;cough;1;0;#BOÞ!;120;80;80;18;36,6;',
    '1;30;1;2;finger laceration;1;1;3;120;80;80;18;36,6;',
  ];
  writeFileSync(file, Buffer.from(`${rows.join('\r\n')}\r\n`, 'latin1'));
  const { stdout, stderr } = await run(process.execPath, [bin, 'triage', '--input', file]);
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], 'row,level');
  assert.match(lines[1] ?? '', /^0,[12]$/);
  assert.equal(lines[2], '1,');
  assert.match(lines[3] ?? '', /^2,[3-5]$/);
  assert.match(stderr, /row 1 \(line 3\), field Age, value '\?\?'/);
});

void test('triage without --input is a usage error (exit 2)', async () => {
  await assert.rejects(
    run(process.execPath, [bin, 'triage']),
    (error: { code?: number; stderr?: string }) =>
      error.code === 2 && /--input is required/.test(error.stderr ?? ''),
  );
});
