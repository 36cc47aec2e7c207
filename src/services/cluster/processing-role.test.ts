import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { isInstalled } from '../../adapters/installed.ts';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import { startNatsServer } from '../../adapters/nats/server-process.ts';
import type { SnapshotPieces } from '../../adapters/nats/snapshot-pieces.ts';
import { ensureReadingStream } from '../../adapters/nats/stream.ts';
import { ProcessingRole } from './processing-role.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

test(
  'a shard whose first start gets no answer is started again alongside and taken within a lease time (it waited two lease times, then was given back)',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-role-start-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24272 });
    const connection = await connect({ servers: '127.0.0.1:24272' });
    let role: ProcessingRole | undefined;
    try {
      const layout = { stream: 'UB_ROLE', prefix: 'ubrole', shards: 1 };
      const manager = await connection.jetstreamManager();
      const js = connection.jetstream();
      assert.equal((await ensureReadingStream(manager, layout)).ok, true);
      // A new cluster's JetStream may drop a request: the first snapshot read never gets an answer.
      let reads = 0;
      const snapshots: SnapshotPieces = {
        base: () => (++reads === 1 ? new Promise<never>(() => undefined) : Promise.resolve(null)),
        putBase: async () => undefined,
        delta: async () => null,
        putDelta: async () => undefined,
        dropDeltas: async () => undefined,
      };
      const lines: string[] = [];
      const leaseMillis = 2_000;
      role = new ProcessingRole({
        js,
        manager,
        layout,
        snapshots,
        sink: {
          insert: async () => undefined,
          check: async (readings) => ({ missing: [...readings], newest: new Map() }),
        },
        bus: new MemoryBus(),
        repository: new MemoryMaintenanceRepository(),
        registry: new MemoryRegistry(),
        detector: undefined,
        learningSpanMillis: 0,
        commitIntervalMillis: 1_000,
        onError: (error, context) => lines.push(`${context?.operation ?? ''}: ${String(error)}`),
        leasesKv: await js.views.kv('ub_role_leases', { ttl: leaseMillis, history: 1 }),
        countMembers: async () => 1,
        member: 'processor-1',
        leaseMillis,
        log: (line) => lines.push(line),
      });
      const started = Date.now();
      await role.start();
      while (!lines.some((line) => line.startsWith('shard 0: taken over')) && Date.now() - started < 10_000)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const took = Date.now() - started;
      assert.ok(took < leaseMillis, `taken over after ${took} ms: ${lines.join(' | ')}`);
      assert.deepEqual(role.owned(), [0]);
      assert.equal(reads, 2, 'one start alongside the stalled one');
    } finally {
      await role?.stop();
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
