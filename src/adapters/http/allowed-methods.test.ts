import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedMethods } from './allowed-methods.ts';

const routes = [
  { method: 'ALL', path: '/*' },
  { method: 'GET', path: '/api/v1/assets' },
  { method: 'POST', path: '/api/v1/assets' },
  { method: 'GET', path: '/api/v1/assets/:id' },
  { method: 'PATCH', path: '/api/v1/assets/:id' },
  { method: 'DELETE', path: '/api/v1/assets/:id' },
  { method: 'GET', path: '/api/v1/sensors/:id/readings' },
  { method: 'GET', path: '/files/:rest{.+}' },
];

test('lists the methods of the routes a path matches, HEAD beside GET; middleware counts for none', () => {
  assert.deepEqual(allowedMethods(routes, '/api/v1/assets'), ['GET', 'HEAD', 'POST']);
  assert.deepEqual(allowedMethods(routes, '/api/v1/assets/pump-1'), ['GET', 'HEAD', 'PATCH', 'DELETE']);
  assert.deepEqual(allowedMethods(routes, '/api/v1/sensors/s%2F1/readings'), ['GET', 'HEAD']);
  assert.deepEqual(allowedMethods(routes, '/files/a/b/c'), ['GET', 'HEAD']);
  assert.deepEqual(allowedMethods(routes, '/api/v1/assets/pump-1/extra'), []);
  assert.deepEqual(allowedMethods(routes, '/api/v1/sensors/x'), []);
  assert.deepEqual(allowedMethods(routes, '/nowhere'), []);
});

test('a path the router does not match is matched by none: a trailing or doubled slash, an empty parameter', () => {
  // Regression: `GET /api/v1/assets/` answered 405 "GET is not allowed … (allowed: GET, HEAD, POST)".
  for (const path of ['/api/v1/assets/', '//api/v1/assets', '/api/v1//assets', '/api/v1/assets//readings'])
    assert.deepEqual(allowedMethods(routes, path), [], path);
  assert.deepEqual(allowedMethods(routes, '/api/v1/sensors//readings'), []);
  assert.deepEqual(allowedMethods(routes, '/files/'), []);
});
