import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { isInstalled } from '../installed.ts';
import { startNatsServer } from './server-process.ts';
import { ShardLeases } from './shard-leases.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

test(
  'a processor whose member id has a live heartbeat is told so; a dead one’s leftover key only delays it (it took no shard and said nothing)',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-member-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24244 });
    const connection = await connect({ servers: '127.0.0.1:24244' });
    try {
      const kv = await connection.jetstream().views.kv('ub_member_leases', { ttl: 2_000, history: 1 });
      const leases = (member: string) =>
        new ShardLeases({
          kv,
          countMembers: async () => 1,
          member,
          shards: 2,
          leaseMillis: 2_000,
          acquire: async () => undefined,
          release: async () => undefined,
          lost: async () => undefined,
        });
      const first = leases('processor-1');
      assert.equal(await first.memberInUse(), false, 'nobody has the id yet');
      first.start();
      await first.tick();
      assert.equal(await leases('processor-1').memberInUse(), true, 'a second processor-1');
      assert.equal(await leases('processor-2').memberInUse(), false);
      await first.stop();
      assert.equal(await leases('processor-1').memberInUse(), false, 'free again once it left');

      // A processor killed with its heartbeat in place: a restart under its id waits for it to expire.
      await kv.put('member.processor-3', new TextEncoder().encode(String(Date.now())));
      const started = Date.now();
      assert.equal(await leases('processor-3').memberInUse(), false);
      assert.ok(Date.now() - started <= 3_500, `waited ${Date.now() - started} ms`);
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
