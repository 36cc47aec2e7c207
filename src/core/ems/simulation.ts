/**
 * Discrete-event simulation of a city's emergency departments. Walk-ins go to
 * the nearest department; ambulances go where the dispatch policy sends them.
 * Each department serves its queue by level then arrival with as many patients
 * at once as it has treatment slots; waiting patients of levels with a
 * patience leave without being seen when it runs out.
 */
import type { CityConfig } from './city.ts';
import type { HospitalStatus } from './hospital.ts';
import { treatmentSlots } from './hospital.ts';
import { MinHeap } from './heap.ts';
import { EmergencyQueue } from './queue.ts';
import type { DestinationOptions } from './destination.ts';
import { recommendDestination, travelMinutes } from './destination.ts';
import type { SimulatedPatient } from './arrivals.ts';
import { drawPatients } from './arrivals.ts';

export type DispatchPolicy = 'nearest' | 'expected-time';

export type PatientOutcome = {
  patient: SimulatedPatient;
  hospitalId: string;
  travelMinutes: number;
  doorMinutes: number;
  /** When a provider saw the patient; null when the patient left unseen. */
  seenMinutes: number | null;
  leftMinutes: number | null;
};

type Event = {
  time: number;
  sequence: number;
  kind: 'door' | 'leave' | 'done';
  patient: SimulatedPatient;
  hospital: number;
};

type Department = { queue: EmergencyQueue; inTreatment: number; incoming: number[] };

export function destinationOptions(city: CityConfig): DestinationOptions {
  const mix = city.levelMixWalkIn.map((count, index) => count + (city.levelMixAmbulance[index] ?? 0));
  const total = mix.reduce((a, b) => a + b, 0);
  const meanTreatmentMinutes =
    mix.reduce((sum, count, index) => sum + count * (city.treatmentMinutesByLevel[index] ?? 0), 0) / total;
  return { speedKmPerHour: city.speedKmPerHour, roadFactor: city.roadFactor, meanTreatmentMinutes };
}

export function simulate(city: CityConfig, policy: DispatchPolicy, seed: number): PatientOutcome[] {
  const patients = drawPatients(city, seed);
  const options = destinationOptions(city);
  const departments: Department[] = city.hospitals.map(() => ({
    queue: new EmergencyQueue(),
    inTreatment: 0,
    incoming: [0, 0, 0, 0, 0],
  }));
  const events = new MinHeap<Event>(
    (a, b) => a.time < b.time || (a.time === b.time && a.sequence < b.sequence),
  );
  const outcomes = new Map<string, PatientOutcome>();
  let sequence = 0;
  const schedule = (time: number, kind: Event['kind'], patient: SimulatedPatient, hospital: number): void => {
    events.push({ time, sequence: sequence++, kind, patient, hospital });
  };
  const nearest = (patient: SimulatedPatient): number => {
    let best = 0;
    city.hospitals.forEach((hospital, index) => {
      const bestHospital = city.hospitals[best];
      if (
        bestHospital !== undefined &&
        travelMinutes(patient.location, hospital.location, options) <
          travelMinutes(patient.location, bestHospital.location, options)
      )
        best = index;
    });
    return best;
  };
  const statuses = (): HospitalStatus[] =>
    city.hospitals.map((hospital, index) => {
      const department = departments[index] as Department;
      return {
        hospital,
        inTreatment: department.inTreatment,
        waitingByLevel: department.queue.countsByLevel(),
        incomingByLevel: department.incoming,
      };
    });
  const choose = (patient: SimulatedPatient): number => {
    if (patient.mode === 'walk-in' || policy === 'nearest') return nearest(patient);
    const recommendation = recommendDestination(
      { location: patient.location, level: patient.level },
      statuses(),
      options,
    );
    return recommendation.ok
      ? city.hospitals.findIndex((hospital) => hospital.id === recommendation.hospital)
      : nearest(patient);
  };
  const startNext = (index: number, now: number): void => {
    const department = departments[index] as Department;
    const slots = treatmentSlots(city.hospitals[index] as CityConfig['hospitals'][number]);
    while (department.inTreatment < slots) {
      const entry = department.queue.next();
      if (entry === undefined) return;
      const outcome = outcomes.get(entry.patientId) as PatientOutcome;
      outcome.seenMinutes = now;
      department.inTreatment++;
      schedule(now + outcome.patient.treatmentMinutes, 'done', outcome.patient, index);
    }
  };
  for (const patient of patients) {
    // The decision for this call sees the departments as they are at the call time.
    runUntil(patient.callMinutes);
    const hospital = choose(patient);
    const travel =
      patient.mode === 'ambulance'
        ? travelMinutes(
            patient.location,
            (city.hospitals[hospital] as CityConfig['hospitals'][number]).location,
            options,
          )
        : 0;
    const door = patient.callMinutes + travel;
    outcomes.set(patient.id, {
      patient,
      hospitalId: city.hospitals[hospital]?.id ?? '',
      travelMinutes: travel,
      doorMinutes: door,
      seenMinutes: null,
      leftMinutes: null,
    });
    if (patient.mode === 'ambulance') addIncoming(departments[hospital] as Department, patient.level, 1);
    schedule(door, 'door', patient, hospital);
  }
  runUntil(Infinity);
  return patients.map((patient) => outcomes.get(patient.id) as PatientOutcome);

  function runUntil(time: number): void {
    for (let event = events.peek(); event !== undefined && event.time <= time; event = events.peek()) {
      events.pop();
      handle(event);
    }
  }

  function handle(event: Event): void {
    const department = departments[event.hospital] as Department;
    const outcome = outcomes.get(event.patient.id) as PatientOutcome;
    if (event.kind === 'door') {
      if (event.patient.mode === 'ambulance') addIncoming(department, event.patient.level, -1);
      department.queue.add({
        patientId: event.patient.id,
        level: event.patient.level,
        arrivalMinutes: event.time,
      });
      if (Number.isFinite(event.patient.patienceMinutes))
        schedule(event.time + event.patient.patienceMinutes, 'leave', event.patient, event.hospital);
      startNext(event.hospital, event.time);
    } else if (event.kind === 'leave') {
      if (department.queue.withdraw(event.patient.id)) outcome.leftMinutes = event.time;
    } else {
      department.inTreatment--;
      startNext(event.hospital, event.time);
    }
  }
}

function addIncoming(department: Department, level: number, change: number): void {
  department.incoming[level - 1] = (department.incoming[level - 1] ?? 0) + change;
}
