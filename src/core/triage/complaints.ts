/**
 * Chief-complaint vocabulary: normalisation of the free text nurses type
 * (abbreviations, typos, punctuation) and the KTAS/ESI complaint lists.
 */

import { ownValue } from '../input-checks.ts';

const abbreviations: Record<string, string> = {
  abd: 'abdominal',
  abdomen: 'abdominal',
  ant: 'anterior',
  rt: 'right',
  rigth: 'right',
  lt: 'left',
  l: 'left',
  r: 'right',
  ha: 'headache',
  di: 'intoxication',
  loc: 'unconscious',
  lbp: 'back',
  gw: 'weakness',
  bst: 'glucose',
  hemiparesis: 'weakness',
  paraparesis: 'weakness',
  monoparesis: 'weakness',
  paresis: 'weakness',
  dizzy: 'dizziness',
  vertigo: 'dizziness',
  sob: 'dyspnea',
  breathing: 'dyspnea',
  confuse: 'confusion',
  confused: 'confusion',
  mentality: 'mental',
  seizures: 'seizure',
  convulsion: 'seizure',
  wounds: 'wound',
  lac: 'laceration',
  pains: 'pain',
};

/** Lower-case whole words of a complaint, abbreviations expanded. */
export function complaintWords(complaint: string): string[] {
  return complaint
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word !== '')
    .map((word) => ownValue(abbreviations, word) ?? word);
}

type Pattern = { label: string; words: string[] };

/** Complaints that need an immediate life-saving intervention (KTAS 1). */
const lifeThreatening: Pattern[] = [
  { label: 'cardiac arrest', words: ['arrest'] },
  { label: 'after resuscitation', words: ['cpr'] },
  { label: 'apnoea', words: ['apnea'] },
];

/** ESI high-risk presentations (KTAS 2 unless the rest of the picture says otherwise). */
const highRisk: Pattern[] = [
  { label: 'chest pain', words: ['chest', 'pain'] },
  { label: 'chest discomfort', words: ['chest', 'discomfort'] },
  { label: 'altered mental state', words: ['mental'] },
  { label: 'confusion', words: ['confusion'] },
  { label: 'loss of consciousness', words: ['unconscious'] },
  { label: 'loss of consciousness', words: ['consciousness'] },
  { label: 'one-sided weakness (stroke)', words: ['weakness', 'side'] },
  { label: 'one-sided weakness (stroke)', words: ['motor', 'weakness'] },
  { label: 'speech disturbance (stroke)', words: ['dysarthria'] },
  { label: 'speech disturbance (stroke)', words: ['aphasia'] },
  { label: 'dyspnoea', words: ['dyspnea'] },
  { label: 'haematemesis', words: ['hematemesis'] },
  { label: 'melaena', words: ['melena'] },
  { label: 'seizure', words: ['seizure'] },
  { label: 'intoxication', words: ['intoxication'] },
  { label: 'suicide attempt', words: ['suicidal'] },
  { label: 'anaphylaxis', words: ['anaphylaxis'] },
  { label: 'syncope', words: ['syncope'] },
  { label: 'chemical burn', words: ['chemical', 'burn'] },
];

function match(patterns: Pattern[], complaint: string): string | null {
  const words = new Set(complaintWords(complaint));
  for (const pattern of patterns) if (pattern.words.every((word) => words.has(word))) return pattern.label;
  return null;
}

export function lifeThreateningComplaint(complaint: string): string | null {
  return match(lifeThreatening, complaint);
}

export function highRiskComplaint(complaint: string): string | null {
  return match(highRisk, complaint);
}
