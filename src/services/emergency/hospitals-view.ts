import { treatmentSlots } from '../../core/ems/hospital.ts';
import type { EmergencyService } from './emergency-service.ts';
import type { HospitalsSnapshot } from './hospitals-snapshot.ts';

/**
 * The Hospitals view from the emergency service's own state: departments as the registry and the
 * occupancy sensors describe them, queues as admitted through the API, and the ambulances the
 * service dispatched (most recent first).
 */
export async function hospitalsSnapshot(service: EmergencyService): Promise<HospitalsSnapshot> {
  const departments = await service.departments();
  const names = new Map(departments.map((department) => [department.id, department.name]));
  const nameOf = (id: string): string => names.get(id) ?? id;
  const hospitals = departments.map((department) => ({
    id: department.id,
    name: department.name,
    beds: treatmentSlots(department),
    inTreatment: department.inTreatment,
    queueByLevel: [...department.waitingByLevel],
    waitMinutes: department.meanWaitMinutes,
    enRoute: department.enRouteByLevel.reduce((sum, count) => sum + count, 0),
    occupancy: { ...department.occupancy },
    problems: [...department.problems],
  }));
  const recommendations = service.recent().map((record) => {
    const chosen = record.recommendation;
    let nearest = { hospitalId: chosen.hospital, travelMinutes: chosen.travelMinutes };
    for (const alternative of chosen.alternatives)
      if (alternative.travelMinutes < nearest.travelMinutes) nearest = alternative;
    return {
      ts: record.ts,
      level: record.level,
      hospital: nameOf(chosen.hospital),
      nearest: nameOf(nearest.hospitalId),
      travelMinutes: chosen.travelMinutes,
      expectedMinutes: chosen.expectedMinutes,
      reason: withNames(chosen.reason, [chosen.hospital, nearest.hospitalId], nameOf),
    };
  });
  return { hospitals, recommendations };
}

/** The reason as people read it: the hospitals it mentions by name rather than by asset id. */
function withNames(reason: string, ids: readonly string[], nameOf: (id: string) => string): string {
  let text = reason;
  for (const id of [...new Set(ids)].sort((a, b) => b.length - a.length)) {
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g'), nameOf(id));
  }
  return text;
}
