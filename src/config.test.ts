import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSources, configUsage, loadConfig, retentionPolicy, storeMemoryLimit } from './config.ts';

void test('defaults: port 8080, mqtt 1883, ./data, auto-register', () => {
  const loaded = loadConfig([], {});
  assert.ok(loaded.ok === true);
  assert.deepEqual(
    [
      loaded.config.port,
      loaded.config.mqttPort,
      loaded.config.dataDir,
      loaded.config.unknownSensors,
      loaded.config.adminKey,
    ],
    [8080, 1883, './data', 'auto-register', null],
  );
});

void test('environment variables apply and flags win over them', () => {
  const env = {
    URBAN_BRAIN_PORT: '9000',
    URBAN_BRAIN_MQTT_PORT: '9001',
    URBAN_BRAIN_DATA_DIR: '/var/ub',
    URBAN_BRAIN_ADMIN_KEY: 'k'.repeat(20),
  };
  const loaded = loadConfig(['--port', '9100', '--unknown-sensors', 'reject'], env);
  assert.ok(loaded.ok === true);
  assert.deepEqual(
    [
      loaded.config.port,
      loaded.config.mqttPort,
      loaded.config.dataDir,
      loaded.config.unknownSensors,
      loaded.config.adminKey,
    ],
    [9100, 9001, '/var/ub', 'reject', 'k'.repeat(20)],
  );
});

void test('bad values are reported with the flag, the variable, the value and the rule', () => {
  const loaded = loadConfig(['--mqtt-url', 'http://broker'], {
    URBAN_BRAIN_PORT: '70000',
    URBAN_BRAIN_ADMIN_KEY: 'short',
  });
  assert.ok(loaded.ok === false);
  assert.match(loaded.message, /--port \(URBAN_BRAIN_PORT\) = "70000"/);
  assert.match(
    loaded.message,
    /--mqtt-url \(URBAN_BRAIN_MQTT_URL\) = "http:\/\/broker": must start with mqtt:\/\//,
  );
  assert.match(loaded.message, /URBAN_BRAIN_ADMIN_KEY = \(hidden\): must be at least 16 characters/);
  assert.doesNotMatch(loaded.message, /short/, 'the secret is not echoed');
  const unknown = loadConfig(['--colour'], {});
  assert.ok(unknown.ok === false);
  assert.match(unknown.message, /--colour/);
});

void test('heap growth: V8 default unless set, and bounded to 10-300 %', () => {
  const unset = loadConfig([], {});
  assert.ok(unset.ok === true);
  assert.equal(unset.config.heapGrowthPercent, null);
  const set = loadConfig([], { URBAN_BRAIN_HEAP_GROWTH_PERCENT: '20' });
  assert.ok(set.ok === true);
  assert.equal(set.config.heapGrowthPercent, 20);
  const low = loadConfig(['--heap-growth-percent', '5'], {});
  assert.ok(low.ok === false);
  assert.match(low.message, /--heap-growth-percent \(URBAN_BRAIN_HEAP_GROWTH_PERCENT\) = "5"/);
});

void test('memory target: 1,024 MB unless set, at least 256; DuckDB held to a sixteenth of it by default', () => {
  const unset = loadConfig([], {});
  assert.ok(unset.ok === true);
  assert.equal(unset.config.memoryTargetMegabytes, 1024);
  assert.equal(storeMemoryLimit(unset.config), 64);
  const large = loadConfig(['--memory-target-mb', '4096'], {});
  assert.ok(large.ok === true);
  assert.equal(storeMemoryLimit(large.config), 256);
  const small = loadConfig(['--memory-target-mb', '512'], {});
  assert.ok(small.ok === true);
  assert.equal(storeMemoryLimit(small.config), 64, 'never below 64 MB');
  const store = loadConfig(['--store-memory-mb', '512'], {});
  assert.ok(store.ok === true);
  assert.equal(storeMemoryLimit(store.config), 512, 'the flag wins');
  const set = loadConfig(['--memory-target-mb', '4096'], { URBAN_BRAIN_MEMORY_TARGET_MB: '2048' });
  assert.ok(set.ok === true);
  assert.equal(set.config.memoryTargetMegabytes, 4096, 'the flag wins');
  const low = loadConfig([], { URBAN_BRAIN_MEMORY_TARGET_MB: '128' });
  assert.ok(low.ok === false);
  assert.match(low.message, /--memory-target-mb \(URBAN_BRAIN_MEMORY_TARGET_MB\) = "128"/);
});

void test('detector memory: 128 MB unless set by flag or variable', () => {
  const unset = loadConfig([], {});
  assert.ok(unset.ok === true);
  assert.equal(unset.config.detectorMemoryMegabytes, 128);
  const set = loadConfig(['--detector-memory-mb', '64'], { URBAN_BRAIN_DETECTOR_MEMORY_MB: '128' });
  assert.ok(set.ok === true);
  assert.equal(set.config.detectorMemoryMegabytes, 64, 'the flag wins');
  const variable = loadConfig([], { URBAN_BRAIN_DETECTOR_MEMORY_MB: '128' });
  assert.ok(variable.ok === true);
  assert.equal(variable.config.detectorMemoryMegabytes, 128);
});

void test('detector snapshots: every 300 s unless set, in seconds from 1 to a day', () => {
  const unset = loadConfig([], {});
  assert.ok(unset.ok === true);
  assert.equal(unset.config.detectorSnapshotMillis, 300_000);
  const set = loadConfig(['--detector-snapshot-seconds', '20'], {
    URBAN_BRAIN_DETECTOR_SNAPSHOT_SECONDS: '60',
  });
  assert.ok(set.ok === true);
  assert.equal(set.config.detectorSnapshotMillis, 20_000, 'the flag wins');
  const zero = loadConfig(['--detector-snapshot-seconds', '0'], {});
  assert.ok(zero.ok === false);
  assert.match(zero.message, /--detector-snapshot-seconds/);
});

void test('HTTP limits: defaults, flags, and a header deadline past the request deadline refused', () => {
  const defaults = loadConfig([], {});
  assert.ok(defaults.ok === true);
  const { maxConnections, headersTimeoutMillis, requestTimeoutMillis, maxStreams, maxStreamsPerKey } =
    defaults.config;
  assert.deepEqual(
    [maxConnections, headersTimeoutMillis, requestTimeoutMillis, maxStreams, maxStreamsPerKey],
    [1024, 10_000, 120_000, 256, 8],
  );
  const set = loadConfig(['--max-streams-per-key', '2', '--max-connections', '50'], {
    URBAN_BRAIN_MAX_STREAMS: '20',
    URBAN_BRAIN_REQUEST_TIMEOUT_MILLIS: '300000',
  });
  assert.ok(set.ok === true);
  assert.deepEqual(
    [
      set.config.maxStreamsPerKey,
      set.config.maxConnections,
      set.config.maxStreams,
      set.config.requestTimeoutMillis,
    ],
    [2, 50, 20, 300_000],
  );
  assert.equal(defaults.config.mqttMaxConnections, 10_000);
  const mqtt = loadConfig([], { URBAN_BRAIN_MQTT_MAX_CONNECTIONS: '500' });
  assert.ok(mqtt.ok === true && mqtt.config.mqttMaxConnections === 500);
  const crossed = loadConfig(['--headers-timeout-millis', '30000', '--request-timeout-millis', '20000'], {});
  assert.ok(crossed.ok === false);
  assert.match(
    crossed.message,
    /--headers-timeout-millis \(URBAN_BRAIN_HEADERS_TIMEOUT_MILLIS\) = "30000": must not exceed --request-timeout-millis \(20000\)/,
  );
  const zero = loadConfig(['--max-streams', '0'], {});
  assert.ok(zero.ok === false);
  assert.match(zero.message, /--max-streams \(URBAN_BRAIN_MAX_STREAMS\) = "0"/);
});

void test('a bad --mqtt-url is echoed without its password', () => {
  const loaded = loadConfig(['--mqtt-url', 'http://ubuser:S3cretBrokerPass@broker'], {});
  assert.ok(loaded.ok === false);
  assert.match(loaded.message, /= "http:\/\/ubuser:\*\*\*@broker": must start with mqtt:\/\//);
  assert.doesNotMatch(loaded.message, /S3cretBrokerPass/);
});

void test('memoryWithoutDataDir keeps everything in memory unless a flag or the environment names a data folder', () => {
  const demo = { memoryWithoutDataDir: true };
  const bare = loadConfig([], {}, demo);
  assert.ok(bare.ok === true && bare.config.memory);
  const flag = loadConfig(['--data-dir', '/tmp/city'], {}, demo);
  assert.ok(flag.ok === true && !flag.config.memory);
  const env = loadConfig([], { URBAN_BRAIN_DATA_DIR: '/tmp/city' }, demo);
  assert.ok(env.ok === true && !env.config.memory && env.config.dataDir === '/tmp/city');
  const serve = loadConfig([], {});
  assert.ok(serve.ok === true && !serve.config.memory);
});

void test('numbers: a bad one is refused with its rule, not a parser message; --help lists every variable', () => {
  const cases: [string[], RegExp][] = [
    [['--port', 'x'], /--port \(URBAN_BRAIN_PORT\) = "x": must be a whole number from 0 to 65535$/],
    [['--port', ' '], /= " ": must be a whole number from 0 to 65535$/],
    [['--port', '80.5'], /= "80.5": must be a whole number from 0 to 65535$/],
    [
      ['--max-connections=-5'],
      /--max-connections \(URBAN_BRAIN_MAX_CONNECTIONS\) = "-5": must be a whole number ≥ 1$/,
    ],
    [['--store-memory-mb', '1e3'], /= "1e3": must be a whole number ≥ 64$/],
    [
      ['--detector-memory-mb', '4'],
      /--detector-memory-mb \(URBAN_BRAIN_DETECTOR_MEMORY_MB\) = "4": must be a whole number ≥ 8$/,
    ],
    [
      ['--learning-hours', 'soon'],
      /--learning-hours \(URBAN_BRAIN_LEARNING_HOURS\) = "soon": must be a number from 0 to 8760$/,
    ],
  ];
  for (const [args, rule] of cases) {
    const loaded = loadConfig(args, {});
    assert.ok(loaded.ok === false, args.join(' '));
    assert.match(loaded.message, rule);
  }
  const fine = loadConfig(['--port', ' 9000 ', '--learning-hours', '0.5'], {});
  assert.ok(fine.ok === true);
  assert.deepEqual([fine.config.port, fine.config.learningSpanMillis], [9000, 1_800_000]);
  for (const [flag, variable] of Object.values(configSources)) {
    if (flag !== null) assert.ok(configUsage.includes(`--${flag} `), `--${flag} is listed`);
    if (variable !== 'URBAN_BRAIN_ADMIN_KEY')
      assert.ok(configUsage.includes(variable), `${variable} is listed`);
  }
});

void test('retention per resolution: 30 days raw, a year of minutes, hours for ever by default; set by flag or variable, coarser kept at least as long', () => {
  const day = 86_400_000;
  const defaults = loadConfig([], {});
  assert.ok(defaults.ok === true);
  assert.deepEqual(retentionPolicy(defaults.config), { rawMillis: 30 * day, minuteMillis: 365 * day });
  const set = loadConfig(['--raw-retention-days', '90', '--hour-retention-days', '3650'], {
    URBAN_BRAIN_MINUTE_RETENTION_DAYS: '730',
  });
  assert.ok(set.ok === true);
  assert.deepEqual(retentionPolicy(set.config), {
    rawMillis: 90 * day,
    minuteMillis: 730 * day,
    hourMillis: 3650 * day,
  });
  const shorter = loadConfig(['--raw-retention-days', '400'], {});
  assert.ok(shorter.ok === false);
  assert.match(
    shorter.message,
    /--minute-retention-days \(URBAN_BRAIN_MINUTE_RETENTION_DAYS\) = \(default\): must be at least --raw-retention-days \(400\)/,
  );
  const zero = loadConfig(['--raw-retention-days', '0'], {});
  assert.ok(zero.ok === false);
  assert.match(zero.message, /must be a whole number from 1 to 36500/);
});

void test('a rule between two options that fails on one left at its default is reported, not a crash; bug: --request-timeout-millis 5000 threw', () => {
  const loaded = loadConfig(['--request-timeout-millis', '5000'], {});
  assert.ok(loaded.ok === false);
  assert.equal(
    loaded.message,
    '--headers-timeout-millis (URBAN_BRAIN_HEADERS_TIMEOUT_MILLIS) = (default): must not exceed --request-timeout-millis (5000)',
  );
});

void test('external broker: session expiry 24 h by default, set by flag or variable, refused out of range', () => {
  const defaults = loadConfig(['--mqtt-url', 'mqtts://broker:8883'], {});
  assert.ok(defaults.ok === true);
  assert.deepEqual(
    [defaults.config.mqttUrl, defaults.config.mqttSessionExpiryHours],
    ['mqtts://broker:8883', 24],
  );
  const set = loadConfig(['--mqtt-url', 'mqtt://broker'], { URBAN_BRAIN_MQTT_SESSION_EXPIRY_HOURS: '168' });
  assert.ok(set.ok === true);
  assert.equal(set.config.mqttSessionExpiryHours, 168);
  for (const value of ['0', '1.5', '1193047']) {
    const loaded = loadConfig(['--mqtt-session-expiry-hours', value], {});
    assert.ok(loaded.ok === false, value);
    assert.equal(
      loaded.message,
      `--mqtt-session-expiry-hours (URBAN_BRAIN_MQTT_SESSION_EXPIRY_HOURS) = "${value}": must be a whole number from 1 to 1193046`,
    );
  }
});

void test('--mqtt-url with a setting of the embedded broker is refused naming it; bug: --mqtt-port was ignored silently', () => {
  const loaded = loadConfig(['--mqtt-url', 'mqtt://broker', '--mqtt-port', '1884'], {
    URBAN_BRAIN_MQTT_MAX_CONNECTIONS: '50',
  });
  assert.ok(loaded.ok === false);
  assert.equal(
    loaded.message,
    '--mqtt-port (URBAN_BRAIN_MQTT_PORT) = "1884": the embedded broker does not run with --mqtt-url\n' +
      '--mqtt-max-connections (URBAN_BRAIN_MQTT_MAX_CONNECTIONS) = "50": the embedded broker does not run with --mqtt-url',
  );
  assert.ok(loadConfig(['--mqtt-port', '1884'], {}).ok === true, 'alone it configures the embedded broker');
});

void test('emergency occupancy freshness: 30 minutes by default, set by flag or variable, refused out of range', () => {
  const defaults = loadConfig([], {});
  assert.ok(defaults.ok === true);
  assert.equal(defaults.config.occupancyMaxAgeMinutes, 30);
  const set = loadConfig(['--occupancy-max-age-minutes', '90'], {
    URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES: '5',
  });
  assert.ok(set.ok === true);
  assert.equal(set.config.occupancyMaxAgeMinutes, 90, 'the flag wins');
  const fromEnv = loadConfig([], { URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES: '5' });
  assert.ok(fromEnv.ok === true);
  assert.equal(fromEnv.config.occupancyMaxAgeMinutes, 5);
  for (const value of ['0', '2.5', 'soon', '10081']) {
    const loaded = loadConfig([], { URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES: value });
    assert.ok(loaded.ok === false, value);
    assert.equal(
      loaded.message,
      `--occupancy-max-age-minutes (URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES) = "${value}": must be a whole number from 1 to 10080`,
    );
  }
});

void test('backups kept: every one by default, the newest N with --backup-keep or its variable, at least 1', () => {
  const defaults = loadConfig([], {});
  assert.ok(defaults.ok === true);
  assert.equal(defaults.config.backupKeep, null);
  const set = loadConfig([], { URBAN_BRAIN_BACKUP_KEEP: '7' });
  assert.ok(set.ok === true);
  assert.equal(set.config.backupKeep, 7);
  const none = loadConfig(['--backup-keep', '0'], {});
  assert.ok(none.ok === false);
  assert.match(none.message, /^--backup-keep \(URBAN_BRAIN_BACKUP_KEEP\) = "0": /);
});

void test('an empty flag is refused naming it, an empty variable counts as unset; bug: --data-dir "" used ./data', () => {
  const flag = loadConfig(['--data-dir', ''], {});
  assert.ok(flag.ok === false);
  assert.equal(flag.message, '--data-dir = "": give a value, or leave the flag out for its default');
  const variable = loadConfig([], { URBAN_BRAIN_DATA_DIR: '', URBAN_BRAIN_PORT: '' });
  assert.ok(variable.ok === true);
  assert.deepEqual([variable.config.dataDir, variable.config.port], ['./data', 8080]);
  // The demo's in-memory default holds when the variable is empty.
  const demo = loadConfig([], { URBAN_BRAIN_DATA_DIR: '' }, { memoryWithoutDataDir: true });
  assert.ok(demo.ok === true && demo.config.memory);
});

void test('in memory, settings about the disk are refused naming each; bug: --memory --backup-keep 2 was taken silently', () => {
  const given = loadConfig(
    ['--memory', '--backup-keep', '2', '--data-dir', '/tmp/city', '--wal-skip-corrupt'],
    { URBAN_BRAIN_STORE_MEMORY_MB: '128' },
  );
  assert.ok(given.ok === false);
  assert.deepEqual(given.message.split('\n'), [
    '--data-dir (URBAN_BRAIN_DATA_DIR) = "/tmp/city": nothing is written to disk with --memory',
    '--backup-keep (URBAN_BRAIN_BACKUP_KEEP) = "2": nothing is written to disk with --memory',
    '--store-memory-mb (URBAN_BRAIN_STORE_MEMORY_MB) = "128": nothing is written to disk with --memory',
    '--wal-skip-corrupt: nothing is written to disk with --memory',
  ]);
  const demo = loadConfig(['--detector-memory-mb', '64'], {}, { memoryWithoutDataDir: true });
  assert.ok(demo.ok === false);
  assert.match(
    demo.message,
    /^--detector-memory-mb \(URBAN_BRAIN_DETECTOR_MEMORY_MB\) = "64": nothing is written to disk without --data-dir/,
  );
  // Named with a data folder, the same settings are taken.
  const disk = loadConfig(
    ['--data-dir', '/tmp/city', '--backup-keep', '2', '--detector-memory-mb', '64'],
    {},
    { memoryWithoutDataDir: true },
  );
  assert.ok(disk.ok === true && disk.config.backupKeep === 2);
  assert.ok(loadConfig(['--memory', '--detector', 'none'], {}).ok === true);
  // Told together with the other problems, not only once they are mended.
  const both = loadConfig(['--memory', '--backup-keep', '0', '--port', 'abc'], {});
  assert.ok(both.ok === false);
  assert.deepEqual(
    both.message.split('\n').map((line) => line.split(' = ')[0]),
    [
      '--port (URBAN_BRAIN_PORT)',
      '--backup-keep (URBAN_BRAIN_BACKUP_KEEP)',
      '--backup-keep (URBAN_BRAIN_BACKUP_KEEP)',
    ],
  );
});
