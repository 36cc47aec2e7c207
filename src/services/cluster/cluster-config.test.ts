import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSources, clusterUsage, loadClusterConfig } from './cluster-config.ts';

/** The three engines' URLs, as a role needs them. */
const engines = ['--nats-url', 'nats://a', '--clickhouse-url', 'http://c', '--postgres-url', 'postgres://p'];

test('without engine URLs the embedded default is kept and every flag passes through', () => {
  const result = loadClusterConfig(['--port', '9000', '--memory'], {});
  assert.deepEqual(result, { ok: true, config: null, rest: ['--port', '9000', '--memory'] });
});

test('scale-out flags are taken out and validated; the rest go to the embedded config', () => {
  const result = loadClusterConfig(
    [
      '--role',
      'process',
      '--nats-url=nats://a:4222,nats://b:4222',
      '--clickhouse-url',
      'http://c1:8123,http://c2:8123',
      '--port',
      '9000',
    ],
    { URBAN_BRAIN_POSTGRES_URL: 'postgres://p/db', URBAN_BRAIN_SHARDS: '32' },
  );
  assert.equal(result.ok, true);
  if (result.ok !== true || result.config === null) return;
  assert.equal(result.config.role, 'process');
  assert.deepEqual(result.config.natsUrls, ['nats://a:4222', 'nats://b:4222']);
  assert.deepEqual(result.config.clickhouseUrls, ['http://c1:8123', 'http://c2:8123']);
  assert.equal(result.config.shards, 32);
  assert.equal(result.config.clickhouseMinuteRollup, false, 'no minute rollup unless asked for');
  assert.deepEqual(result.rest, ['--port', '9000']);
});

test('the ClickHouse minute rollup is on or off, nothing else', () => {
  const on = loadClusterConfig([...engines, '--clickhouse-minute-rollup', 'on'], {});
  assert.ok(on.ok === true && on.config !== null);
  assert.equal(on.config.clickhouseMinuteRollup, true);
  const bad = loadClusterConfig(engines, { URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP: 'yes' });
  assert.ok(bad.ok === false);
  assert.match(bad.message, /--clickhouse-minute-rollup \(URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP\) = "yes"/);
});

test('a role other than all without engines, or a bad value, is refused naming the flag', () => {
  const noEngines = loadClusterConfig(['--role', 'ingest'], {});
  assert.equal(noEngines.ok, false);
  const bad = loadClusterConfig(
    [
      '--role',
      'ingest',
      '--nats-url',
      'nats://a',
      '--clickhouse-url',
      'http://c',
      '--postgres-url',
      'mysql://x',
    ],
    {},
  );
  assert.equal(bad.ok, false);
  if (bad.ok === false)
    assert.match(bad.message, /--postgres-url \(URBAN_BRAIN_POSTGRES_URL\) = "mysql:\/\/x"/);
});

test('scale-out flags without the engines are refused, not silently ignored', () => {
  const result = loadClusterConfig(['--shards', '4', '--member=p1', '--port', '9000'], {});
  assert.equal(result.ok, false);
  if (result.ok === false)
    assert.match(result.message, /--shards, --member are scale-out options: they need --nats-url/);
  // Settings from the environment are shared by a fleet's embedded and scaled-out processes: not refused.
  assert.deepEqual(loadClusterConfig(['--port', '9000'], { URBAN_BRAIN_SHARDS: '4' }), {
    ok: true,
    config: null,
    rest: ['--port', '9000'],
  });
});

test('a scale-out flag given last without its value is refused with one line', () => {
  const result = loadClusterConfig(['--memory', '--nats-url'], {});
  assert.equal(result.ok, false);
  if (result.ok === false) assert.match(result.message, /--nats-url/);
});

test('--help names every scale-out flag with its variable', () => {
  // Regression: --clickhouse-cluster and --clickhouse-database were accepted but not listed.
  for (const flag of [
    'role',
    'nats-url',
    'clickhouse-url',
    'clickhouse-cluster',
    'clickhouse-database',
    'clickhouse-minute-rollup',
    'postgres-url',
    'shards',
    'replicas',
    'member',
    'lease-millis',
    'commit-interval-millis',
    'max-cached-sensors',
  ])
    assert.match(clusterUsage, new RegExp(`--${flag} `), `--${flag} is listed`);
  for (const [, variable] of Object.values(clusterSources))
    assert.ok(clusterUsage.includes(variable), `${variable} is listed`);
});

test('one engine URL without the others is refused naming the missing ones', () => {
  const loaded = loadClusterConfig(['--nats-url', 'nats://x:4222'], {});
  assert.ok(loaded.ok === false);
  assert.equal(
    loaded.message,
    '--nats-url, --clickhouse-url and --postgres-url go together: --clickhouse-url (URBAN_BRAIN_CLICKHOUSE_URL) and --postgres-url (URBAN_BRAIN_POSTGRES_URL) are missing',
  );
  const shards = loadClusterConfig(
    [
      '--nats-url',
      'nats://x',
      '--clickhouse-url',
      'http://c',
      '--postgres-url',
      'postgres://p',
      '--shards',
      'many',
    ],
    {},
  );
  assert.ok(shards.ok === false);
  assert.equal(
    shards.message,
    '--shards (URBAN_BRAIN_SHARDS) = "many": must be a whole number from 1 to 4096',
  );
});

test('the default member id is unique per process even where every process is pid 1', () => {
  // Regression: it was processor-<pid>, the same for every containerised processor.
  const engineVariables = {
    URBAN_BRAIN_NATS_URL: 'nats://n:4222',
    URBAN_BRAIN_CLICKHOUSE_URL: 'http://c:8123',
    URBAN_BRAIN_POSTGRES_URL: 'postgres://p/db',
  };
  const members = [1, 2].map(() => {
    const result = loadClusterConfig([], engineVariables);
    return result.ok && result.config !== null ? result.config.member : '';
  });
  for (const member of members)
    assert.match(member, new RegExp(`^processor-[\\w-]*-${process.pid}-[0-9a-f]{6}$`));
  assert.notEqual(members[0], members[1]);
});

test('an engine URL of the wrong kind is refused with an example of the right one', () => {
  // Regression: a ClickHouse URL without a scheme was told to look like nats://host:port.
  const loaded = loadClusterConfig(
    [
      '--nats-url',
      'http://n:4222',
      '--clickhouse-url',
      'localhost:8123',
      '--postgres-url',
      'postgres://p/db',
    ],
    {},
  );
  assert.ok(loaded.ok === false);
  assert.equal(
    loaded.message,
    '--nats-url (URBAN_BRAIN_NATS_URL) = "http://n:4222": must be a URL like nats://host:4222\n' +
      '--clickhouse-url (URBAN_BRAIN_CLICKHOUSE_URL) = "localhost:8123": must be a URL like http://host:8123',
  );
});

test('a role that is none is refused as such, with or without the engines; a real one without them needs them', () => {
  // Regression: without the engines, `--role foo` was told it needed them.
  assert.deepEqual(loadClusterConfig(['--role', 'foo'], {}), {
    ok: false,
    message: '--role (URBAN_BRAIN_ROLE) = "foo": must be one of ingest, process, api, all',
  });
  const fromEnvironment = loadClusterConfig([], { URBAN_BRAIN_ROLE: 'proces' });
  assert.equal(fromEnvironment.ok, false);
  assert.match(fromEnvironment.ok === false ? fromEnvironment.message : '', /= "proces": must be one of/);
  const needs = loadClusterConfig(['--role', 'api'], {});
  assert.match(needs.ok === false ? needs.message : '', /^--role api needs --nats-url/);
  // Regression: with the engines given, the validation library's own words were printed.
  assert.deepEqual(loadClusterConfig(['--role', 'bogus', ...engines], {}), {
    ok: false,
    message: '--role (URBAN_BRAIN_ROLE) = "bogus": must be one of ingest, process, api, all',
  });
  const rollup = loadClusterConfig(engines, { URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP: 'yes' });
  assert.equal(
    rollup.ok === false && rollup.message,
    '--clickhouse-minute-rollup (URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP) = "yes": must be on or off',
  );
});
