import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPatientQueueStore } from '../patient-queues.contract.ts';
import { openDatabase } from './database.ts';
import { DuckDbPatientQueues } from './patient-queues.ts';

test('DuckDB emergency queues and calls keep the queue contract and survive reopening', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patient-queues-'));
  try {
    let database = await openDatabase({ dataDir });
    let queues = await DuckDbPatientQueues.open(database);
    await checkPatientQueueStore(queues);
    assert.equal(
      await queues.add({ hospital: 'north', patientId: 'late', level: 4, arrivalMillis: 7_000 }),
      true,
    );
    await queues.close();
    database.close();
    database = await openDatabase({ dataDir });
    queues = await DuckDbPatientQueues.open(database);
    assert.deepEqual(
      (await queues.waiting()).map((entry) => `${entry.hospital}/${entry.patientId}`),
      ['south/a', 'north/late'],
    );
    // Entry order continues after the reopen: a later admission is not taken for an earlier one.
    assert.equal(
      await queues.add({ hospital: 'north', patientId: 'same', level: 4, arrivalMillis: 7_000 }),
      true,
    );
    assert.equal((await queues.takeNext('north', 8_000))?.patientId, 'late');
    assert.equal((await queues.takeNext('north', 8_000))?.patientId, 'same');
    await queues.close();
    database.close();
    // Patients called in count in treatment across a restart too.
    database = await openDatabase({ dataDir });
    queues = await DuckDbPatientQueues.open(database);
    assert.deepEqual(
      (await queues.called(8_000)).map((call) => `${call.patientId}@${call.calledMillis}`),
      ['a@20000', 'b@40000', 'late@8000', 'same@8000'],
    );
    await queues.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an admission acknowledged by the DuckDB store survives kill -9 of the process', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patient-queues-kill-'));
  try {
    const script = `
      const { openDatabase } = await import(${JSON.stringify(new URL('./database.ts', import.meta.url).href)});
      const { DuckDbPatientQueues } = await import(${JSON.stringify(new URL('./patient-queues.ts', import.meta.url).href)});
      const queues = await DuckDbPatientQueues.open(await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }));
      for (let i = 0; i < 5; i++) {
        await queues.add({ hospital: 'north', patientId: 'p' + i, level: 3, arrivalMillis: 1000 + i });
        process.stdout.write('added p' + i + '\\n');
      }
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before adding`)));
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n'))
          if (line.startsWith('added ')) acknowledged.push(line.slice(6));
        if (acknowledged.length === 5) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const database = await openDatabase({ dataDir });
    const queues = await DuckDbPatientQueues.open(database);
    assert.deepEqual(
      (await queues.waiting()).map((entry) => entry.patientId),
      acknowledged,
    );
    await queues.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
