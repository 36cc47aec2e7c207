import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { KV, KvEntry } from 'nats';
import { isInstalled } from '../installed.ts';
import { startNatsServer } from './server-process.ts';
import { openLeaseBucket, ShardLeases } from './shard-leases.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

/** Leases of 2 s on 2 shards for a member alone in the cluster, doing nothing with what it wins. */
function loneLeases(kv: KV, member: string): ShardLeases {
  return new ShardLeases({
    kv,
    countMembers: async () => 1,
    member,
    shards: 2,
    leaseMillis: 2_000,
    acquire: async () => undefined,
    release: async () => undefined,
    lost: async () => undefined,
  });
}

test(
  'a processor whose member id has a live heartbeat is told so; a dead one’s leftover key only delays it (it took no shard and said nothing)',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-member-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24244 });
    const connection = await connect({ servers: '127.0.0.1:24244' });
    try {
      const kv = await connection.jetstream().views.kv('ub_member_leases', { ttl: 2_000, history: 1 });
      const leases = (member: string) => loneLeases(kv, member);
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

test(
  'lease reads go to the stream leader, never a direct get any replica may answer (a lagging one hands out old revisions)',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-leader-reads-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24245 });
    const connection = await connect({ servers: '127.0.0.1:24245' });
    try {
      const requests = { direct: 0, leader: 0 };
      const direct = connection.subscribe('$JS.API.DIRECT.GET.KV_ub_leader_reads.>', {
        callback: () => (requests.direct += 1),
      });
      const leader = connection.subscribe('$JS.API.STREAM.MSG.GET.KV_ub_leader_reads', {
        callback: () => (requests.leader += 1),
      });
      // The bucket as an earlier version made it, with direct gets allowed: reads still go to the leader.
      await connection.jetstream().views.kv('ub_leader_reads', { ttl: 2_000, history: 1 });
      const kv = await openLeaseBucket(connection.jetstream(), 'ub_leader_reads', {
        leaseMillis: 2_000,
        replicas: 1,
      });
      const leases = loneLeases(kv, 'processor-1');
      assert.equal(await leases.memberInUse(), false);
      leases.start();
      await leases.tick();
      assert.deepEqual(leases.owned(), [0, 1]);
      assert.equal((await kv.get('shard.0'))?.string(), 'processor-1');
      await leases.stop();
      await connection.flush();
      assert.equal(requests.direct, 0, 'no direct get');
      assert.ok(requests.leader > 0, `the leader answered ${requests.leader} reads`);
      direct.unsubscribe();
      leader.unsubscribe();
    } finally {
      await connection.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

/** A leases bucket in memory, with `create`/`update` at a revision like JetStream's; `stall` lets a call get no answer. */
class MemoryLeases {
  readonly #entries = new Map<string, { value: Uint8Array; revision: number; operation: 'PUT' | 'DEL' }>();
  #revision = 0;
  /** Calls (`put member.a`, `create shard.0`…) that get no answer; `once` only the first time. */
  stall: (call: string) => 'never' | 'once' | undefined = () => undefined;
  readonly #stalled = new Set<string>();

  async #answer<T>(call: string, work: () => T): Promise<T> {
    const stall = this.stall(call);
    if (stall === 'never' || (stall === 'once' && !this.#stalled.has(call))) {
      this.#stalled.add(call);
      if (stall === 'once') work(); // written, but the answer is lost
      return new Promise<T>(() => undefined);
    }
    return work();
  }

  #write(key: string, value: Uint8Array, previous: number | undefined): number {
    const current = this.#entries.get(key);
    const last = current?.operation === 'PUT' ? current.revision : 0;
    if (previous !== undefined && previous !== last) throw new Error('wrong last sequence');
    this.#revision += 1;
    this.#entries.set(key, { value, revision: this.#revision, operation: 'PUT' });
    return this.#revision;
  }

  readonly kv = {
    put: (key: string, value: Uint8Array) =>
      this.#answer(`put ${key}`, () => this.#write(key, value, undefined)),
    create: (key: string, value: Uint8Array) =>
      this.#answer(`create ${key}`, () => this.#write(key, value, 0)),
    update: (key: string, value: Uint8Array, revision: number) =>
      this.#answer(`update ${key}`, () => this.#write(key, value, revision)),
    get: (key: string) =>
      this.#answer(`get ${key}`, () => {
        const entry = this.#entries.get(key);
        return entry === undefined ? null : ({ key, ...entry } as unknown as KvEntry);
      }),
    delete: (key: string, options?: { previousSeq?: number }) =>
      this.#answer(`delete ${key}`, () => {
        const entry = this.#entries.get(key);
        if (options?.previousSeq !== undefined && entry?.revision !== options.previousSeq)
          throw new Error('wrong last sequence');
        if (entry !== undefined) entry.operation = 'DEL';
      }),
  } as unknown as KV;

  owner(shard: number): string | undefined {
    const entry = this.#entries.get(`shard.${shard}`);
    return entry?.operation === 'PUT' ? new TextDecoder().decode(entry.value) : undefined;
  }
}

function memoryLeases(bucket: MemoryLeases, member: string, acquired: number[] = []): ShardLeases {
  return new ShardLeases({
    kv: bucket.kv,
    countMembers: async () => 1,
    member,
    shards: 2,
    leaseMillis: 1_000,
    acquire: async (shard) => void acquired.push(shard),
    release: async () => undefined,
    lost: async () => undefined,
  });
}

test('a member whose heartbeat gets no answer still claims the free shards (it claimed none)', async () => {
  const bucket = new MemoryLeases();
  bucket.stall = (call) => (call === 'put member.a' ? 'never' : undefined);
  const acquired: number[] = [];
  const leases = memoryLeases(bucket, 'a', acquired);
  await leases.tick();
  await leases.tick();
  assert.deepEqual(leases.owned(), [0, 1]);
  assert.deepEqual(acquired.sort(), [0, 1]);
  assert.equal(bucket.owner(0), 'a');
  assert.equal(bucket.owner(1), 'a');
});

test('a claim whose answer was lost is taken back (the shard had no working owner until its key expired)', async () => {
  const bucket = new MemoryLeases();
  bucket.stall = (call) => (call === 'create shard.0' ? 'once' : undefined);
  const leases = memoryLeases(bucket, 'a');
  const started = Date.now();
  await leases.tick();
  assert.ok(Date.now() - started < 1_000, `the round took ${Date.now() - started} ms`);
  await leases.tick();
  assert.deepEqual(leases.owned(), [0, 1]);
  // Another member's key is never taken.
  const other = memoryLeases(bucket, 'b');
  await other.tick();
  assert.deepEqual(other.owned(), []);
  assert.equal(bucket.owner(0), 'a');
});
