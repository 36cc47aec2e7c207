/**
 * The KTAS level-assignment logic after the published tables (Korean Triage and Acuity
 * Scale, after CTAS; thresholds approximated): the level is the most urgent of the first-order
 * modifiers (consciousness, haemodynamics, breathing, temperature, pain by
 * site) and the complaint's own second-order level, from the concept lexicon.
 * A hand-written estimate, used as a feature by the learned model.
 */
import type { Presentation } from './presentation.ts';
import { complaintConcept } from './complaint-concepts.ts';
import { lifeSavingLimits } from './rules.ts';

/** Concept groups whose pain is "central" (trunk, head): KTAS rates their pain one level more urgent. */
const centralPain = new Set([
  'chest-pain',
  'abdominal-pain',
  'flank-pain',
  'headache',
  'back-pain',
  'chest-wall',
  'vaginal-bleeding',
]);

export type KtasModifiers = {
  consciousness: number;
  haemodynamics: number;
  breathing: number;
  temperature: number;
  pain: number;
  complaint: number;
  /** The most urgent of the above (1–5). */
  level: number;
};

export function ktasModifiers(p: Presentation): KtasModifiers {
  const concept = complaintConcept(p.chiefComplaint);
  const consciousness =
    p.mental === 'unresponsive' ? 1 : p.mental === 'pain' ? 1 : p.mental === 'verbal' ? 2 : 5;
  const sbp = p.systolicMmHg;
  const hr = p.heartRatePerMinute;
  const adult = p.ageYears >= 16;
  let haemodynamics = 5;
  if (sbp !== null && sbp < 70) haemodynamics = 1;
  else if ((sbp !== null && sbp < 90) || (adult && hr !== null && (hr > 130 || hr < 45))) haemodynamics = 2;
  else if ((sbp !== null && (sbp >= 200 || sbp < 100)) || (adult && hr !== null && (hr > 110 || hr < 50)))
    haemodynamics = 3;
  const spo2 = p.oxygenSaturationPercent;
  const rr = p.respiratoryRatePerMinute;
  let breathing = 5;
  const extreme = lifeSavingLimits(p.ageYears).respiratoryRatePerMinute;
  if ((spo2 !== null && spo2 < 85) || (rr !== null && (rr > extreme.above || rr < extreme.below)))
    breathing = 1;
  else if ((spo2 !== null && spo2 < 92) || (adult && rr !== null && rr > 28)) breathing = 2;
  else if ((spo2 !== null && spo2 < 95) || (adult && rr !== null && rr > 22)) breathing = 3;
  const t = p.temperatureCelsius;
  let temperature = 5;
  if (t !== null && t >= 38) {
    const sirs = 1 + (hr !== null && hr > 90 ? 1 : 0) + (rr !== null && rr > 20 ? 1 : 0);
    temperature = sirs >= 3 ? 2 : 3;
  } else if (t !== null && t < 35) temperature = 2;
  const central = concept !== null && centralPain.has(concept.name);
  const score = p.painScore;
  let pain = 5;
  if (score !== null && score > 0) {
    const band = score >= 8 ? 0 : score >= 4 ? 1 : 2;
    pain = (central ? 2 : 3) + band;
  }
  // Pain-driven trunk complaints (other than chest pain) take their level from the pain modifier.
  const complaint =
    concept === null ? 4 : central && concept.name !== 'chest-pain' ? 5 : concept.typicalLevel;
  const level = Math.min(consciousness, haemodynamics, breathing, temperature, Math.min(5, pain), complaint);
  return { consciousness, haemodynamics, breathing, temperature, pain: Math.min(5, pain), complaint, level };
}
