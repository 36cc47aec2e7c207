/**
 * The dashboard's Hospitals view, as `GET /api/v1/hospitals` serves it: each emergency department's
 * load and queue, and the recent ambulance destination recommendations. Types only (the dashboard
 * imports them).
 */
export interface HospitalsSnapshot {
  hospitals: {
    id: string;
    name: string;
    /** Patients the department can treat at once (a space and a doctor each). */
    beds: number;
    inTreatment: number;
    /** Waiting patients by triage level 1–5. */
    queueByLevel: number[];
    /** Mean time the waiting patients have waited so far, minutes. */
    waitMinutes: number;
    /** Ambulances sent here by a recommendation and not yet arrived. */
    enRoute: number;
  }[];
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
