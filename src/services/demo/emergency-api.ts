import type { Reading } from '../../core/readings/reading.ts';
import type { Level, Presentation } from '../../core/triage/presentation.ts';
import type { IngestResult } from '../../ports/ingest.ts';

/** A patient the platform handed back when a department called the next one in. */
export interface CalledPatient {
  patientId: string;
  level: Level;
}

/**
 * The part of the platform's public API the demo's emergency departments use, as an outside
 * hospital system would: `PlatformClient` over HTTP, or an in-memory fake in tests. Every method
 * may reject (network, HTTP error); callers log and carry on.
 */
export interface EmergencyApi {
  /** `POST /api/v1/triage`: the level for a presentation. */
  triage(presentation: Presentation): Promise<Level>;
  /** `POST /api/v1/ems/dispatches`: the hospital the ambulance is sent to, or null when none can take the patient. */
  destination(lat: number, lon: number, level: Level): Promise<string | null>;
  /** `POST /api/v1/emergency/departments/:id/patients`: triage at the door and queue; the level given. */
  admit(hospitalId: string, patientId: string, presentation: Presentation): Promise<Level>;
  /** `POST /api/v1/emergency/departments/:id/next`: the next patient, or null when nobody waits. */
  callNext(hospitalId: string): Promise<CalledPatient | null>;
  /** `POST /api/v1/readings` with the device key. */
  ingest(readings: readonly Reading[]): Promise<IngestResult>;
}
