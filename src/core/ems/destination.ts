/**
 * Ambulance destination choice: the hospital with the least expected time to
 * treatment = travel time + the expected wait of a patient of this level.
 *
 * Wait model: the queue serves by level then arrival, so a patient of level L
 * waits behind everyone queued (or already en route) at levels 1..L. With c
 * treatment slots and n patients in treatment, the patient is seen at once
 * while ahead + n < c; otherwise after (ahead + n - c + 1) completions, each
 * taking on average meanTreatmentMinutes / c.
 */
import type { Level } from '../triage/presentation.ts';
import type { HospitalStatus, Location } from './hospital.ts';
import { distanceKm, treatmentSlots } from './hospital.ts';

export type DestinationOptions = {
  speedKmPerHour: number;
  /** Road distance over straight-line distance. */
  roadFactor: number;
  /** Mean treatment time of the current case mix, minutes. */
  meanTreatmentMinutes: number;
};

export type DestinationRequest = { location: Location; level: Level };

export type Candidate = {
  hospitalId: string;
  travelMinutes: number;
  waitMinutes: number;
  expectedMinutes: number;
};

export type Recommendation =
  | {
      ok: true;
      hospital: string;
      expectedMinutes: number;
      travelMinutes: number;
      waitMinutes: number;
      reason: string;
      alternatives: Candidate[];
    }
  | { ok: false; reason: string };

export function travelMinutes(
  from: Location,
  to: Location,
  options: Pick<DestinationOptions, 'speedKmPerHour' | 'roadFactor'>,
): number {
  return ((distanceKm(from, to) * options.roadFactor) / options.speedKmPerHour) * 60;
}

export function expectedWaitMinutes(
  status: HospitalStatus,
  level: Level,
  meanTreatmentMinutes: number,
): number {
  const slots = treatmentSlots(status.hospital);
  if (slots === 0) return Infinity;
  let ahead = 0;
  for (let index = 0; index < level; index++) {
    ahead += (status.waitingByLevel[index] ?? 0) + (status.incomingByLevel?.[index] ?? 0);
  }
  const busyAhead = ahead + status.inTreatment;
  if (busyAhead < slots) return 0;
  return ((busyAhead - slots + 1) * meanTreatmentMinutes) / slots;
}

export function candidates(
  request: DestinationRequest,
  hospitals: readonly HospitalStatus[],
  options: DestinationOptions,
): Candidate[] {
  return hospitals
    .map((status) => {
      const travel = travelMinutes(request.location, status.hospital.location, options);
      const wait = expectedWaitMinutes(status, request.level, options.meanTreatmentMinutes);
      return {
        hospitalId: status.hospital.id,
        travelMinutes: travel,
        waitMinutes: wait,
        expectedMinutes: travel + wait,
      };
    })
    .sort((a, b) => a.expectedMinutes - b.expectedMinutes || a.travelMinutes - b.travelMinutes);
}

export function recommendDestination(
  request: DestinationRequest,
  hospitals: readonly HospitalStatus[],
  options: DestinationOptions,
): Recommendation {
  const ranked = candidates(request, hospitals, options).filter((candidate) =>
    Number.isFinite(candidate.expectedMinutes),
  );
  const best = ranked[0];
  if (best === undefined) return { ok: false, reason: 'no hospital with a treatment slot is known' };
  const nearest = [...ranked].sort((a, b) => a.travelMinutes - b.travelMinutes)[0] ?? best;
  const round = (minutes: number): string => minutes.toFixed(0);
  const reason =
    nearest.hospitalId === best.hospitalId
      ? `${best.hospitalId} is nearest (${round(best.travelMinutes)} min) and the expected wait for level ${request.level} is ${round(best.waitMinutes)} min`
      : `${best.hospitalId}: ${round(best.travelMinutes)} min away + ${round(best.waitMinutes)} min expected wait beats nearest ${nearest.hospitalId}: ${round(nearest.travelMinutes)} min + ${round(nearest.waitMinutes)} min wait for level ${request.level}`;
  return {
    ok: true,
    hospital: best.hospitalId,
    expectedMinutes: best.expectedMinutes,
    travelMinutes: best.travelMinutes,
    waitMinutes: best.waitMinutes,
    reason,
    alternatives: ranked.slice(1),
  };
}
