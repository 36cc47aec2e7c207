import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JetStreamClient, JetStreamManager, ObjectStore } from 'nats';
import { StreamPieces } from './snapshot-pieces.ts';

/** A JetStream API error as the client throws it for an answer with `error` set. */
function apiError(code: number, errorCode: number, description: string): Error {
  return Object.assign(new Error(description), {
    code: String(code),
    api_error: { code, err_code: errorCode, description },
  });
}

/** Pieces over a stream whose every get fails with `failure`, and an empty object store. */
async function piecesFailingWith(failure: Error): Promise<StreamPieces> {
  const manager = {
    streams: {
      info: async () => ({}),
      getMessage: async () => {
        throw failure;
      },
    },
  };
  const objects = { info: async () => null, getBlob: async () => null };
  return StreamPieces.open({
    manager: manager as unknown as JetStreamManager,
    js: {} as JetStreamClient,
    objects: objects as unknown as ObjectStore,
    stream: 'snapshots',
    replicas: 1,
    maxInlineBytes: 1024,
  });
}

test('a piece with no message on its subject is absent', async () => {
  const pieces = await piecesFailingWith(apiError(404, 10037, 'no message found'));
  assert.equal(await pieces.base(0), null);
  assert.equal(await pieces.delta(0, 1), null);
});

test('a stream not found (a server still recovering) is an error, not an absent piece', async () => {
  // Regression: every 404 counted as absent, so a new owner started from no states and its first
  // full snapshot rolled the committed one away.
  const pieces = await piecesFailingWith(apiError(404, 10059, 'stream not found'));
  await assert.rejects(pieces.base(0), /stream not found/);
  await assert.rejects(pieces.delta(0, 1), /stream not found/);
});
