import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrls } from './redact.ts';

void test('hides the password of a URL and keeps the user, host and port', () => {
  assert.equal(
    redactUrls('listening on http://127.0.0.1:8080, mqtt mqtt://ubuser:S3cretBrokerPass@127.0.0.1:12690'),
    'listening on http://127.0.0.1:8080, mqtt mqtt://ubuser:***@127.0.0.1:12690',
  );
});

void test('hides every URL of a line: PostgreSQL, ClickHouse, NATS tokens and query passwords', () => {
  const line =
    'could not start: postgres://city:pg-secret@db:5432/urban, http://default:ch-secret@ch:8123 ' +
    'nats://s3cr3t-token@nats:4222 postgresql://db/urban?user=city&password=q-secret&ssl=true';
  const redacted = redactUrls(line);
  for (const secret of ['pg-secret', 'ch-secret', 's3cr3t-token', 'q-secret']) {
    assert.ok(!redacted.includes(secret), `${secret} is hidden in ${redacted}`);
  }
  assert.equal(
    redacted,
    'could not start: postgres://city:***@db:5432/urban, http://default:***@ch:8123 ' +
      'nats://***@nats:4222 postgresql://db/urban?user=city&password=***&ssl=true',
  );
});

void test('a password with an unescaped @ is hidden whole', () => {
  assert.equal(redactUrls('mqtt://user:p@ss@broker:1883/x'), 'mqtt://user:***@broker:1883/x');
});

void test('leaves URLs without credentials and other text alone', () => {
  const line = 'role api ready on http://127.0.0.1:8080/, mail admin@example.org, mqtt 1883';
  assert.equal(redactUrls(line), line);
});
