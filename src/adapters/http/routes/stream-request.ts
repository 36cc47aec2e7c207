import { shownValue } from '../../../core/input-checks.ts';
import { parseBoundingBox, type BoundingBox } from '../../../core/registry/filter.ts';
import { bodyFieldsError, maxSensors, sensorListError } from './sensor-list.ts';

/** The parameters of `GET /api/v1/stream`, which are the fields of the body of `POST /api/v1/stream`. */
export const streamFields = ['sensor', 'asset', 'bbox'] as const;

/**
 * What a live-stream client asks for, each part optional and all applying together: `sensors`, at
 * least one id when given; `asset`, an id; `bbox`, `minLon,minLat,maxLon,maxLat`. The asset and
 * the box are checked by `resolveStreamFilter`, against the registry and the box's rules.
 */
export interface StreamRequest {
  sensors?: readonly string[];
  asset?: string;
  bbox?: string;
}

export type RequestProblem = { status: 400; error: string };

function refused(error: string): RequestProblem {
  return { status: 400, error };
}

/**
 * The rules of a request that need no registry: an asset named is not empty, a box is well formed
 * (given back parsed). Applied where the request is read, so that it is refused before the stream
 * takes a slot (a client at its limit is told what is wrong, not to wait), and by
 * `resolveStreamFilter`, which then checks the asset against the registry.
 */
export function checkStreamRequest(
  request: StreamRequest,
): { box: BoundingBox | undefined } | RequestProblem {
  if (request.asset === '') return refused(`asset='' names no asset`);
  const box = request.bbox === undefined ? undefined : parseBoundingBox(request.bbox);
  return typeof box === 'string' ? refused(box) : { box };
}

/** `request`, or why `checkStreamRequest` refuses it. */
function checked(request: StreamRequest): StreamRequest | RequestProblem {
  const check = checkStreamRequest(request);
  return 'error' in check ? check : request;
}

/** The request of `?sensor=a,b&asset=p1&bbox=…`: `sensor` split at commas, the empty ids dropped. */
export function streamQuery(query: Record<string, string>): StreamRequest | RequestProblem {
  const { sensor, asset, bbox } = query;
  if (sensor === undefined) return checked({ asset, bbox });
  const sensors = sensor.split(',').filter((id) => id !== '');
  if (sensors.length === 0) return refused(`sensor='${sensor}' names no sensor`);
  return checked({ sensors, asset, bbox });
}

const shape =
  `body must be {"sensor"?: [string, ...], "asset"?: string, "bbox"?: "minLon,minLat,maxLon,maxLat"}` +
  ` with at most ${maxSensors} sensor ids`;

/**
 * The request of a `POST` body, the GET form's parameters as fields: `sensor` a list, so that it
 * may be as long as `/latest`'s and hold ids with commas; empty ids are dropped, as GET drops them.
 */
export function streamBody(body: unknown): StreamRequest | RequestProblem {
  const fields = bodyFieldsError(body, streamFields, shape);
  if (fields !== undefined) return refused(fields);
  const { sensor, asset, bbox } = body as Record<string, unknown>;
  if (asset !== undefined && typeof asset !== 'string')
    return refused(`${shape}; asset is ${shownValue(asset)}`);
  if (bbox !== undefined && typeof bbox !== 'string') return refused(`${shape}; bbox is ${shownValue(bbox)}`);
  if (sensor === undefined) return checked({ asset, bbox });
  const list = sensorListError('sensor', sensor, shape);
  if (list !== undefined) return refused(list);
  const sensors = (sensor as string[]).filter((id) => id !== '');
  if (sensors.length === 0) return refused(`sensor=${shownValue(sensor)} names no sensor`);
  return checked({ sensors, asset, bbox });
}
