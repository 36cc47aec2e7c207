/**
 * Chief-complaint concept groups: a hand-built lexicon that maps the short
 * Korean-English phrases nurses type to the complaint groups of the KTAS/ESI
 * chief-complaint lists, each with the level the manuals give it typically
 * (before first-order modifiers such as vital signs and pain). Pools rare
 * spellings ("rt. side motor weakness", "lt hemiparesis") into one group.
 */
import { complaintWords } from './complaints.ts';
import { ownValue } from '../input-checks.ts';

export type Concept = { name: string; typicalLevel: number; words: string[][] };

/** Each entry of `words` is a set of words that must all appear. First match wins. */
export const concepts: readonly Concept[] = [
  { name: 'arrest', typicalLevel: 1, words: [['arrest'], ['cpr'], ['apnea']] },
  {
    name: 'altered-mental-state',
    typicalLevel: 2,
    words: [
      ['mental'],
      ['confusion'],
      ['unconscious'],
      ['consciousness'],
      ['delirium'],
      ['sleeping'],
      ['behavior'],
      ['drowsy'],
      ['stupor'],
    ],
  },
  { name: 'seizure', typicalLevel: 2, words: [['seizure'], ['sezure']] },
  {
    name: 'stroke',
    typicalLevel: 2,
    words: [
      ['weakness', 'side'],
      ['weakness', 'motor'],
      ['weakness', 'right'],
      ['weakness', 'left'],
      ['weakness', 'arm'],
      ['dysarthria'],
      ['aphasia'],
      ['palsy'],
      ['diplopia'],
      ['visual', 'acuity'],
      ['paresthesia'],
    ],
  },
  { name: 'chest-wall', typicalLevel: 4, words: [['chest', 'wall']] },
  { name: 'chest-pain', typicalLevel: 2, words: [['chest', 'pain'], ['chest', 'discomfort'], ['chest']] },
  { name: 'palpitation', typicalLevel: 3, words: [['palpitation'], ['tachycardia']] },
  {
    name: 'dyspnea',
    typicalLevel: 2,
    words: [['dyspnea'], ['orthopnea'], ['hyperventilation'], ['pneumothorax']],
  },
  { name: 'hypotension', typicalLevel: 2, words: [['pressure', 'low'], ['hypotension']] },
  {
    name: 'gi-bleeding',
    typicalLevel: 2,
    words: [['hematemesis'], ['melena'], ['hematochezia'], ['anal', 'bleeding']],
  },
  { name: 'hemoptysis', typicalLevel: 2, words: [['hemoptysis'], ['sputum']] },
  {
    name: 'intoxication',
    typicalLevel: 2,
    words: [['intoxication'], ['drunken'], ['alcohol'], ['poisoning']],
  },
  {
    name: 'psychiatric',
    typicalLevel: 3,
    words: [['suicidal'], ['hallucination'], ['anxiety'], ['violence']],
  },
  { name: 'syncope', typicalLevel: 3, words: [['syncope'], ['amnesia']] },
  { name: 'glucose', typicalLevel: 3, words: [['glucose'], ['bsl']] },
  {
    name: 'abdominal-pain',
    typicalLevel: 3,
    words: [['abdominal'], ['epigastric'], ['rlq'], ['llq'], ['ruq'], ['luq'], ['periumbilical']],
  },
  { name: 'flank-pain', typicalLevel: 3, words: [['flank']] },
  { name: 'headache', typicalLevel: 3, words: [['headache']] },
  { name: 'dizziness', typicalLevel: 3, words: [['dizziness']] },
  { name: 'vaginal-bleeding', typicalLevel: 3, words: [['vaginal'], ['pprom'], ['pregnancy']] },
  { name: 'fever', typicalLevel: 3, words: [['fever'], ['chill']] },
  { name: 'vomiting-diarrhea', typicalLevel: 3, words: [['vomiting'], ['nausea'], ['diarrhea']] },
  { name: 'general-weakness', typicalLevel: 3, words: [['weakness'], ['activity'], ['general']] },
  { name: 'head-injury', typicalLevel: 3, words: [['head', 'injury'], ['head', 'trauma'], ['concussion']] },
  { name: 'back-pain', typicalLevel: 4, words: [['back'], ['backache'], ['neck']] },
  { name: 'wound', typicalLevel: 4, words: [['laceration'], ['wound'], ['scratch'], ['defect']] },
  { name: 'burn', typicalLevel: 4, words: [['burn']] },
  { name: 'eye', typicalLevel: 4, words: [['eye'], ['ocular'], ['eyelid'], ['vision'], ['visual']] },
  {
    name: 'ent',
    typicalLevel: 4,
    words: [
      ['epistaxis'],
      ['nasal'],
      ['ear'],
      ['otalgia'],
      ['throat'],
      ['sorethroat'],
      ['hearing'],
      ['pharynx'],
      ['esophagus'],
      ['tooth'],
      ['toothache'],
      ['dental'],
      ['oral'],
      ['voice'],
    ],
  },
  {
    name: 'urinary',
    typicalLevel: 4,
    words: [['voiding'], ['dysuria'], ['urinary'], ['testis'], ['catheter']],
  },
  {
    name: 'skin',
    typicalLevel: 4,
    words: [
      ['rash'],
      ['urticaria'],
      ['urticarial'],
      ['itching'],
      ['eczema'],
      ['cellulitis'],
      ['sting'],
      ['redness'],
      ['allergy'],
    ],
  },
  { name: 'limb-injury', typicalLevel: 4, words: [['injury'], ['trauma'], ['dislocation']] },
  {
    name: 'limb-pain',
    typicalLevel: 4,
    words: [
      ['leg'],
      ['arm'],
      ['knee'],
      ['ankle'],
      ['foot'],
      ['toe'],
      ['finger'],
      ['hand'],
      ['wrist'],
      ['elbow'],
      ['shoulder'],
      ['hip'],
      ['thigh'],
      ['forearm'],
      ['myalgia'],
      ['ache'],
      ['swelling'],
      ['edema'],
    ],
  },
  { name: 'cough-cold', typicalLevel: 4, words: [['cough'], ['coughing'], ['cold'], ['hiccup']] },
  {
    name: 'procedure',
    typicalLevel: 5,
    words: [
      ['tapping'],
      ['tube'],
      ['change'],
      ['malfunction'],
      ['removal'],
      ['insertion'],
      ['ptbd'],
      ['avf'],
    ],
  },
  {
    name: 'administrative',
    typicalLevel: 5,
    words: [['medication'], ['copy'], ['examination'], ['injection'], ['lab'], ['film']],
  },
  { name: 'distension', typicalLevel: 4, words: [['distension'], ['distended'], ['ascites']] },
];

/** Extra abbreviations of the complaint field, on top of `complaintWords`. */
const moreAbbreviations: Record<string, string> = {
  dz: 'dizziness',
  v: 'vomiting',
  d: 'diarrhea',
  c: 'cough',
  ptx: 'pneumothorax',
  lac: 'laceration',
  fb: 'foreign',
  hb: 'hemoglobin',
  rotatory: 'dizziness',
  whirling: 'dizziness',
  h: 'headache',
  movt: 'movement',
  decerased: 'decreased',
  leaukage: 'leakage',
  rigth: 'right',
};

/** Normalised words of a complaint: lower case, abbreviations and common typos expanded. */
export function normalisedWords(complaint: string): string[] {
  return complaintWords(complaint).map((word) => ownValue(moreAbbreviations, word) ?? word);
}

/** The first concept group whose word set the complaint contains, or null. */
export function complaintConcept(complaint: string): Concept | null {
  const words = new Set(normalisedWords(complaint));
  for (const concept of concepts)
    if (concept.words.some((set) => set.every((word) => words.has(word)))) return concept;
  return null;
}
