/**
 * The dashboard's Hospitals view, as `GET /api/v1/hospitals` serves it: each emergency department's
 * load and queue, and the recent ambulance dispatches. Types only (the dashboard
 * imports them).
 */
export interface HospitalsSnapshot {
  hospitals: {
    id: string;
    name: string;
    /** Patients the department can treat at once: min(treatment spaces, doctors on shift); 0 = closed. */
    beds: number;
    inTreatment: number;
    /** Waiting patients by triage level 1–5. */
    queueByLevel: number[];
    /** Mean time the waiting patients have waited so far, minutes. */
    waitMinutes: number;
    /** Ambulances dispatched here and not yet arrived. */
    enRoute: number;
    /**
     * Where `inTreatment` comes from: `current`, the occupancy sensor's reading; `stale`, its latest
     * reading is too old, so the load is unknown and counted as full; `none`, no reading (the
     * patients called in count for the mean treatment time). `readingMillis`: that reading's time.
     */
    occupancy: { status: 'current' | 'stale' | 'none'; readingMillis: number | null };
    /**
     * What could not be read: capacity tags (each counts as 0, closed, until fixed) and a stale
     * occupancy reading (counted as full until a new one comes); empty when all is well.
     */
    problems: string[];
  }[];
  /** Recent ambulance dispatches (`POST /api/v1/ems/dispatches`), most recent first. */
  recommendations: {
    ts: number;
    level: number;
    /** Name of the recommended hospital. */
    hospital: string;
    /** Name of the nearest hospital that could take the patient. */
    nearest: string;
    travelMinutes: number;
    expectedMinutes: number;
    reason: string;
  }[];
}
