import type { Asset, Sensor } from '../../core/registry/asset.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { Role } from '../../core/auth/role.ts';
import type { Level, Presentation } from '../../core/triage/presentation.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import type { Existing, PutOptions, Registry } from '../../ports/registry.ts';
import type { CalledPatient, EmergencyApi } from './emergency-api.ts';

/** Tries of a write the platform may see twice without harm (readings, imports) whose connection failed. */
const writeTries = 3;

/**
 * The platform as an outside client sees it: its public HTTP API. The demo city registers itself
 * and sends every reading this way, so it exercises the same path a real deployment's devices do.
 */
export class PlatformClient implements Ingestor, EmergencyApi, Pick<Registry, 'putAssets' | 'putSensors'> {
  private readonly baseUrl: string;
  private readonly adminKey: string;
  private deviceKey: string;
  private operatorKey: string;

  constructor(baseUrl: string, adminKey: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.adminKey = adminKey;
    this.deviceKey = adminKey;
    this.operatorKey = adminKey;
  }

  /** Creates an API key; returns its secret. */
  async createKey(name: string, role: Role): Promise<string> {
    const response = await this.call(
      'POST',
      '/api/v1/keys',
      this.adminKey,
      JSON.stringify({ name, role }),
      'application/json',
    );
    const body = (await response.json()) as { key: string };
    return body.key;
  }

  /**
   * Revokes the live keys of this name (the ones an earlier run created and printed), then creates
   * a fresh one: restarting the demo does not pile up keys.
   */
  async replaceKey(name: string, role: Role): Promise<string> {
    const response = await this.call('GET', '/api/v1/keys', this.adminKey, undefined, undefined);
    const { keys } = (await response.json()) as {
      keys: { id: string; name: string; revokedMillis: number | null }[];
    };
    for (const key of keys) {
      if (key.name !== name || key.revokedMillis !== null) continue;
      const revoked = await this.call(
        'DELETE',
        `/api/v1/keys/${key.id}`,
        this.adminKey,
        undefined,
        undefined,
      );
      await revoked.arrayBuffer();
    }
    return this.createKey(name, role);
  }

  /** Readings go with this key from now on (a `device` key: it may only ingest). */
  useDeviceKey(secret: string): void {
    this.deviceKey = secret;
  }

  /** Emergency department calls (triage, queues, destinations) go with this key from now on. */
  useOperatorKey(secret: string): void {
    this.operatorKey = secret;
  }

  async triage(presentation: Presentation): Promise<Level> {
    const body = await this.postJson<{ level: Level }>('/api/v1/triage', presentation);
    return body.level;
  }

  async destination(lat: number, lon: number, level: Level): Promise<string | null> {
    // A dispatch, not a mere recommendation: the ambulance counts as en route there.
    const path = '/api/v1/ems/dispatches';
    const body = JSON.stringify({ location: { lat, lon }, level });
    // 409: no hospital can take the patient.
    const response = await this.call('POST', path, this.operatorKey, body, 'application/json', [409]);
    if (response.status === 409) return null;
    return ((await response.json()) as { hospital: string }).hospital;
  }

  async admit(hospitalId: string, patientId: string, presentation: Presentation): Promise<Level> {
    const path = `/api/v1/emergency/departments/${encodeURIComponent(hospitalId)}/patients`;
    const body = await this.postJson<{ triage: { level: Level } }>(path, { patientId, presentation });
    return body.triage.level;
  }

  async callNext(hospitalId: string): Promise<CalledPatient | null> {
    const path = `/api/v1/emergency/departments/${encodeURIComponent(hospitalId)}/next`;
    const body = await this.postJson<{ patient: CalledPatient | null }>(path, {});
    return body.patient === null ? null : { patientId: body.patient.patientId, level: body.patient.level };
  }

  async putAssets(assets: readonly Asset[], options: PutOptions = {}): Promise<void> {
    await this.importFeatures('/api/v1/assets/import', assets, options.existing ?? 'replace');
  }

  async putSensors(sensors: readonly Sensor[], options: PutOptions = {}): Promise<void> {
    await this.importFeatures('/api/v1/sensors/import', sensors, options.existing ?? 'replace');
  }

  async ingest(readings: readonly Reading[]): Promise<IngestResult> {
    const body = JSON.stringify(readings);
    const response = await again(async () => {
      const answer = await fetch(`${this.baseUrl}/api/v1/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.deviceKey}`, 'content-type': 'application/json' },
        body,
      });
      await answer.arrayBuffer();
      return answer;
    });
    if (response.status === 429 || response.status === 503) {
      const retryAfterSeconds = Number(response.headers.get('retry-after') ?? 1) || 1;
      return { ok: false, reason: 'overloaded', retryAfterSeconds };
    }
    if (!response.ok) throw new Error(`POST /api/v1/readings answered ${response.status}`);
    return { ok: true, stored: readings.length };
  }

  private async postJson<T>(path: string, payload: unknown): Promise<T> {
    const response = await this.call(
      'POST',
      path,
      this.operatorKey,
      JSON.stringify(payload),
      'application/json',
    );
    return (await response.json()) as T;
  }

  private async importFeatures(
    path: string,
    records: readonly (Asset | Sensor)[],
    existing: Existing,
  ): Promise<void> {
    const chunk = 10_000;
    for (let start = 0; start < records.length; start += chunk) {
      const features = records.slice(start, start + chunk).map(({ lat, lon, ...properties }) => ({
        type: 'Feature',
        geometry: lat === null || lon === null ? null : { type: 'Point', coordinates: [lon, lat] },
        properties,
      }));
      const body = JSON.stringify({ type: 'FeatureCollection', features });
      await again(async () => {
        const response = await this.call(
          'POST',
          `${path}?atomic=true&existing=${existing}`,
          this.adminKey,
          body,
          'application/geo+json',
        );
        await response.arrayBuffer();
      });
    }
  }

  private async call(
    method: string,
    path: string,
    key: string,
    body: string | undefined,
    type: string | undefined,
    /** Error statuses the caller handles itself. */
    expected: readonly number[] = [],
  ): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (type !== undefined) headers['content-type'] = type;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    if (!response.ok && !expected.includes(response.status)) {
      const text = await response.text();
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    return response;
  }
}

/**
 * Runs `write` again when its connection fails (fetch rejects with a TypeError: reset, refused,
 * closed), up to `writeTries` in all, half a second more apart each time; an answer, even an error
 * status, is never tried again. Only for writes the platform may apply twice without harm: a stored
 * reading sent again is the same reading, an import keeps or replaces the same records.
 */
async function again<T>(write: () => Promise<T>, tries = writeTries): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= tries || !(error instanceof TypeError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}
