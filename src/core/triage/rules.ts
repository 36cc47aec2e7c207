/**
 * ESI/KTAS decision points, applied to what is known at the door.
 *
 * Each rule that fires yields a finding: the decision point, a reason in
 * words, the most lenient level it allows (`maxLevel`), and whether that bound
 * is binding (`binding`: the final level may never be less urgent) or only
 * advisory (the learned model weighs it against the rest of the presentation).
 */
import type { Level, Presentation } from './presentation.ts';
import { highRiskComplaint, lifeThreateningComplaint } from './complaints.ts';

export type DecisionPoint =
  'life-saving' | 'high-risk' | 'danger-zone' | 'mental-state' | 'pain' | 'resources';

export type Finding = {
  rule: string;
  point: DecisionPoint;
  reason: string;
  maxLevel: Level;
  binding: boolean;
};

/** ESI danger-zone limits for heart and respiratory rate, by age. */
export function dangerZoneLimits(ageYears: number): {
  heartRatePerMinute: number;
  respiratoryRatePerMinute: number;
} {
  if (ageYears < 0.25) return { heartRatePerMinute: 180, respiratoryRatePerMinute: 50 };
  if (ageYears < 3) return { heartRatePerMinute: 160, respiratoryRatePerMinute: 40 };
  if (ageYears < 8) return { heartRatePerMinute: 140, respiratoryRatePerMinute: 30 };
  return { heartRatePerMinute: 100, respiratoryRatePerMinute: 20 };
}

/** A band of a vital sign: below `below` or above `above` is outside it. */
export type RateLimits = { below: number; above: number };

/**
 * Heart and respiratory rates that need an immediate intervention (level 1), by age, in the
 * bands of `dangerZoneLimits`. Children after PALS: bradycardia below 60/min (below 80 under
 * 3 months), tachycardia at the rates of supraventricular tachycardia (over 220 in infants, 180
 * in children); respiratory rates too slow to ventilate or far beyond the danger zone. From 8
 * years the adult limits: HR below 40 or over 150, RR below 8 or over 40.
 */
export function lifeSavingLimits(ageYears: number): {
  heartRatePerMinute: RateLimits;
  respiratoryRatePerMinute: RateLimits;
} {
  if (ageYears < 0.25)
    return {
      heartRatePerMinute: { below: 80, above: 220 },
      respiratoryRatePerMinute: { below: 20, above: 70 },
    };
  if (ageYears < 3)
    return {
      heartRatePerMinute: { below: 60, above: 220 },
      respiratoryRatePerMinute: { below: 15, above: 60 },
    };
  if (ageYears < 8)
    return {
      heartRatePerMinute: { below: 60, above: 180 },
      respiratoryRatePerMinute: { below: 10, above: 50 },
    };
  return {
    heartRatePerMinute: { below: 40, above: 150 },
    respiratoryRatePerMinute: { below: 8, above: 40 },
  };
}

/** Systolic pressure below which a patient is hypotensive (PALS for children; 90 mmHg from 8 years). */
export function hypotensionLimitMmHg(ageYears: number): number {
  if (ageYears >= 8) return 90;
  if (ageYears < 1 / 12) return 60;
  if (ageYears < 1) return 70;
  return 70 + 2 * Math.floor(ageYears);
}

function outside(value: number | null, limits: RateLimits): value is number {
  return value !== null && (value < limits.below || value > limits.above);
}

export function applyRules(patient: Presentation): Finding[] {
  return [
    ...lifeSaving(patient),
    ...highRisk(patient),
    ...dangerZone(patient),
    ...mentalState(patient),
    ...painRules(patient),
    ...resources(patient),
  ];
}

function lifeSaving(p: Presentation): Finding[] {
  const out: Finding[] = [];
  const add = (rule: string, reason: string): void => {
    out.push({ rule, point: 'life-saving', reason, maxLevel: 1, binding: true });
  };
  if (p.mental === 'unresponsive') add('unresponsive', 'unresponsive (AVPU U)');
  const sbp = p.systolicMmHg;
  if (sbp !== null && sbp < (p.ageYears < 8 ? 60 : 70)) add('shock', `systolic ${sbp} mmHg: shock`);
  const limits = lifeSavingLimits(p.ageYears);
  const hr = p.heartRatePerMinute;
  if (outside(hr, limits.heartRatePerMinute))
    add('heart-rate-extreme', `heart rate ${hr}/min${band(limits.heartRatePerMinute)}`);
  const rr = p.respiratoryRatePerMinute;
  if (outside(rr, limits.respiratoryRatePerMinute))
    add('respiratory-rate-extreme', `respiratory rate ${rr}/min${band(limits.respiratoryRatePerMinute)}`);
  const spo2 = p.oxygenSaturationPercent;
  if (spo2 !== null && spo2 < 80) add('severe-hypoxia', `SpO2 ${spo2}%: severe hypoxia`);
  const complaint = lifeThreateningComplaint(p.chiefComplaint);
  if (complaint !== null)
    add('life-threat-complaint', `complaint '${complaint}' needs an immediate intervention`);
  return out;
}

function band(limits: RateLimits): string {
  return `, outside ${limits.below}–${limits.above} for age`;
}

function highRisk(p: Presentation): Finding[] {
  const out: Finding[] = [];
  const complaint = highRiskComplaint(p.chiefComplaint);
  if (complaint !== null) {
    out.push({
      rule: 'high-risk-complaint',
      point: 'high-risk',
      reason: `high-risk complaint '${complaint}'`,
      maxLevel: 2,
      binding: false,
    });
  }
  const sbp = p.systolicMmHg;
  const hypotension = hypotensionLimitMmHg(p.ageYears);
  if (sbp !== null && sbp < hypotension) {
    out.push({
      rule: 'hypotension',
      point: 'high-risk',
      reason: `systolic ${sbp} mmHg below ${hypotension} for age`,
      maxLevel: 2,
      binding: true,
    });
  }
  const dbp = p.diastolicMmHg;
  if ((sbp !== null && sbp >= 220) || (dbp !== null && dbp >= 130)) {
    out.push({
      rule: 'hypertensive-crisis',
      point: 'high-risk',
      reason: `blood pressure ${sbp ?? '?'}/${dbp ?? '?'} mmHg`,
      maxLevel: 2,
      binding: false,
    });
  }
  const spo2 = p.oxygenSaturationPercent;
  if (spo2 !== null && spo2 < 90) {
    out.push({
      rule: 'hypoxia',
      point: 'high-risk',
      reason: `SpO2 ${spo2}% below 90%`,
      maxLevel: 2,
      binding: true,
    });
  }
  return out;
}

function dangerZone(p: Presentation): Finding[] {
  const out: Finding[] = [];
  const limits = dangerZoneLimits(p.ageYears);
  const hr = p.heartRatePerMinute;
  const rr = p.respiratoryRatePerMinute;
  const spo2 = p.oxygenSaturationPercent;
  const temperature = p.temperatureCelsius;
  if (hr !== null && hr > limits.heartRatePerMinute) {
    const binding = hr > limits.heartRatePerMinute + 20;
    out.push({
      rule: 'danger-heart-rate',
      point: 'danger-zone',
      reason: `heart rate ${hr}/min above ${limits.heartRatePerMinute} for age`,
      maxLevel: binding ? 3 : 2,
      binding,
    });
  }
  if (rr !== null && rr > limits.respiratoryRatePerMinute) {
    const binding = rr > limits.respiratoryRatePerMinute + 6;
    out.push({
      rule: 'danger-respiratory-rate',
      point: 'danger-zone',
      reason: `respiratory rate ${rr}/min above ${limits.respiratoryRatePerMinute} for age`,
      maxLevel: binding ? 3 : 2,
      binding,
    });
  }
  if (spo2 !== null && spo2 < 92) {
    out.push({
      rule: 'danger-saturation',
      point: 'danger-zone',
      reason: `SpO2 ${spo2}% below 92%`,
      maxLevel: 3,
      binding: true,
    });
  }
  // SIRS limits: HR > 90 and RR > 20 from 8 years; the danger zone for age in younger children.
  const sirs = p.ageYears < 8 ? limits : { heartRatePerMinute: 90, respiratoryRatePerMinute: 20 };
  const fast =
    (hr !== null && hr > sirs.heartRatePerMinute) || (rr !== null && rr > sirs.respiratoryRatePerMinute);
  if (temperature !== null && temperature >= 38 && fast) {
    out.push({
      rule: 'fever-sirs',
      point: 'danger-zone',
      reason: `fever ${temperature} °C with tachycardia or tachypnoea`,
      maxLevel: 3,
      binding: false,
    });
  }
  return out;
}

function mentalState(p: Presentation): Finding[] {
  if (p.mental === 'pain') {
    return [
      {
        rule: 'responds-to-pain',
        point: 'mental-state',
        reason: 'responds to pain only (AVPU P)',
        maxLevel: 2,
        binding: true,
      },
    ];
  }
  if (p.mental === 'verbal') {
    return [
      {
        rule: 'responds-to-voice',
        point: 'mental-state',
        reason: 'altered mental state (AVPU V)',
        maxLevel: 2,
        binding: false,
      },
    ];
  }
  return [];
}

function painRules(p: Presentation): Finding[] {
  const score = p.painScore;
  if (score === null) return [];
  if (score >= 8)
    return [
      { rule: 'severe-pain', point: 'pain', reason: `severe pain NRS ${score}`, maxLevel: 2, binding: false },
    ];
  if (score >= 4)
    return [
      {
        rule: 'moderate-pain',
        point: 'pain',
        reason: `moderate pain NRS ${score}`,
        maxLevel: 3,
        binding: false,
      },
    ];
  return [];
}

/** ESI resources: an ambulance arrival or an injury usually needs two or more (imaging, procedures). */
function resources(p: Presentation): Finding[] {
  const ambulance = p.arrivalMode === 'public-ambulance' || p.arrivalMode === 'private-ambulance';
  if (ambulance && p.injury) {
    return [
      {
        rule: 'resources-many',
        point: 'resources',
        reason: 'injured and brought by ambulance: several resources expected',
        maxLevel: 3,
        binding: false,
      },
    ];
  }
  return [];
}

/** The most urgent binding bound among findings (5 when none binds). */
export function bindingLevel(findings: readonly Finding[]): Level {
  let level: Level = 5;
  for (const finding of findings) if (finding.binding && finding.maxLevel < level) level = finding.maxLevel;
  return level;
}
