import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isClickHouseAuthenticationFailure } from './engine-errors.ts';

test('a refused ClickHouse user or password is told apart from an engine that is down', () => {
  // Regression: a wrong user was retried for ever ("waiting for ClickHouse: … Unknown user bob").
  const oldServer = new Error(
    'Code: 192, e.displayText() = DB::Exception: Unknown user bob, e.what() = DB::Exception',
  );
  const newServer = Object.assign(new Error('bob: Authentication failed'), { code: '516' });
  assert.equal(isClickHouseAuthenticationFailure(oldServer), true);
  assert.equal(isClickHouseAuthenticationFailure(newServer), true);
  assert.equal(
    isClickHouseAuthenticationFailure(
      new Error('Code: 193, e.displayText() = DB::Exception: Wrong password'),
    ),
    true,
  );
  assert.equal(
    isClickHouseAuthenticationFailure(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:20123'), { code: 'ECONNREFUSED' }),
    ),
    false,
  );
  assert.equal(
    isClickHouseAuthenticationFailure(
      new Error('Code: 81, e.displayText() = DB::Exception: Database x does not exist'),
    ),
    false,
  );
  assert.equal(isClickHouseAuthenticationFailure('Code: 192'), false);
});
