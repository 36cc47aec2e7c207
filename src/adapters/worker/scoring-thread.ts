import { parentPort, workerData } from 'node:worker_threads';
import { findDetector } from '../../core/anomaly/registry.ts';
import { SensorDetectors } from '../../services/detection/sensor-detectors.ts';
import { openSpillAt } from '../files/state-spill-file.ts';
import { packStates, packedBuffers, splitSensors, unpackStates } from './columns.ts';
import { detachEarly } from './detach-early.ts';
import type { ScoringReply, ScoringRequest, ScoringThreadData } from './scoring-messages.ts';

// The scoring thread: owns the per-sensor detectors and answers requests one at a time, in order.
// States go back as transferred buffers: the first transfer should not deoptimise the detectors.
detachEarly();
const data = workerData as ScoringThreadData;
const detector = findDetector(data.detector);
if (detector === undefined) throw new Error(`unknown detector ${JSON.stringify(data.detector)}`);
const file = data.spillFile;
const detectors = new SensorDetectors(
  { detector, ...data.options },
  file === undefined ? undefined : openSpillAt(file),
);
const port = parentPort;
if (port === null) throw new Error('the scoring thread must run as a worker thread');

function answer(request: ScoringRequest): ScoringReply {
  const base = { id: request.id, sensorCount: 0 };
  switch (request.type) {
    case 'score':
      return {
        ...base,
        type: 'score',
        crossings: detectors.processColumns(
          splitSensors(request.sensors),
          request.timestamps,
          request.values,
        ),
      };
    case 'score-keyed':
      detectors.nameKeys(request.namedKeys, splitSensors(request.sensors));
      return {
        ...base,
        type: 'score',
        crossings: detectors.processKeyed(request.keys, request.timestamps, request.values),
      };
    case 'history':
      return {
        ...base,
        type: 'history',
        points: detectors.history(request.sensor, request.fromMillis, request.toMillis),
      };
    case 'take':
      return {
        ...base,
        type: 'take',
        states: packStates(detectors.takeStates(request.all, request.limit, request.resume)),
      };
    case 'dirty':
      detectors.markDirty(splitSensors(request.sensors));
      return { ...base, type: 'dirty' };
    case 'sync':
      return { ...base, type: 'sync' };
    case 'close':
      detectors.close();
      return { ...base, type: 'close' };
    case 'restore':
      return { ...base, type: 'restore', ...detectors.restore(unpackStates(request.states)) };
  }
}

port.on('message', (request: ScoringRequest) => {
  let reply: ScoringReply;
  try {
    reply = answer(request);
  } catch (error) {
    reply = { id: request.id, sensorCount: 0, type: 'failed', message: String(error) };
  }
  reply.sensorCount = detectors.sensorCount;
  port.postMessage(reply, reply.type === 'take' ? packedBuffers(reply.states) : []);
});
