/**
 * Target encoding of the chief complaint: for each complaint token (a word,
 * the concept group, the whole normalised phrase) the training rows' expert
 * levels, smoothed towards the overall mix. Learned from training rows only;
 * `outOfFoldEncodings` gives training rows encodings that exclude their own
 * label, so a model fitted on them does not over-trust the encoding.
 */
import { complaintConcept, normalisedWords } from './complaint-concepts.ts';

export type ComplaintEncoder = {
  /** Level counts (index 0 = level 1) per token. */
  counts: Record<string, number[]>;
  prior: number[];
  smoothing: number;
};

/** NRS pain band: none, mild 1–3, moderate 4–7, severe 8–10, unknown. */
export function painBand(painScore: number | null): string {
  if (painScore === null) return 'unknown';
  if (painScore === 0) return 'none';
  return painScore <= 3 ? 'mild' : painScore <= 7 ? 'moderate' : 'severe';
}

export type ComplaintTokens = {
  phrase: string;
  concept: string;
  conceptPain: string;
  phrasePain: string;
  words: string[];
};

export function complaintTokens(complaint: string, painScore: number | null): ComplaintTokens {
  const band = painBand(painScore);
  const words = [...new Set(normalisedWords(complaint))].filter(
    (word) => !/^(right|left|both|pain)$/.test(word),
  );
  const concept = complaintConcept(complaint);
  const phrase = `phrase:${[...words].sort().join(' ')}`;
  const conceptToken = `concept:${concept?.name ?? 'none'}`;
  return {
    phrase,
    concept: conceptToken,
    conceptPain: `${conceptToken}|${band}`,
    phrasePain: `${phrase}|${band}`,
    words: words.map((word) => `word:${word}`),
  };
}

/** `levelIndices[i]` is the level − 1 of `complaints[i]`. */
export type EncodedInput = { complaint: string; painScore: number | null };

export function learnComplaintEncoder(
  complaints: readonly EncodedInput[],
  levelIndices: readonly number[],
  smoothing: number,
): ComplaintEncoder {
  const counts: Record<string, number[]> = {};
  const prior = [0, 0, 0, 0, 0];
  complaints.forEach((complaint, i) => {
    const level = levelIndices[i] as number;
    prior[level] = (prior[level] as number) + 1;
    const t = complaintTokens(complaint.complaint, complaint.painScore);
    for (const token of [t.phrase, t.concept, t.conceptPain, t.phrasePain, ...t.words]) {
      const row = counts[token] ?? [0, 0, 0, 0, 0];
      row[level] = (row[level] as number) + 1;
      counts[token] = row;
    }
  });
  const total = prior.reduce((a, b) => a + b, 0);
  return { counts, prior: prior.map((count) => count / Math.max(1, total)), smoothing };
}

export const complaintEncodingNames = [
  'phrase-mean',
  'phrase-urgent',
  'phrase-minor',
  'phrase-support',
  'concept-mean',
  'concept-urgent',
  'concept-minor',
  'concept-pain-mean',
  'concept-pain-urgent',
  'concept-pain-minor',
  'phrase-pain-mean',
  'phrase-pain-support',
  'words-min-mean',
  'words-max-urgent',
  'words-max-minor',
  'words-mean',
] as const;

type Summary = { mean: number; urgent: number; minor: number; support: number };

function summary(encoder: ComplaintEncoder, token: string): Summary {
  const row = encoder.counts[token] ?? [0, 0, 0, 0, 0];
  const n = row.reduce((a, b) => a + b, 0);
  const p = row.map(
    (count, k) => (count + encoder.smoothing * (encoder.prior[k] ?? 0)) / (n + encoder.smoothing),
  );
  return {
    mean: p.reduce((sum, value, k) => sum + value * (k + 1), 0),
    urgent: (p[0] ?? 0) + (p[1] ?? 0),
    minor: (p[3] ?? 0) + (p[4] ?? 0),
    support: Math.log1p(n),
  };
}

export function encodeComplaint(encoder: ComplaintEncoder, input: EncodedInput): number[] {
  const t = complaintTokens(input.complaint, input.painScore);
  const phrase = summary(encoder, t.phrase);
  const concept = summary(encoder, t.concept);
  const conceptPain = summary(encoder, t.conceptPain);
  const phrasePain = summary(encoder, t.phrasePain);
  const words = t.words
    .filter((word) => encoder.counts[word] !== undefined)
    .map((word) => summary(encoder, word));
  const none = summary(encoder, '');
  const pick = (f: (s: Summary) => number, combine: (a: number, b: number) => number): number =>
    words.length === 0 ? f(none) : words.map(f).reduce(combine);
  return [
    phrase.mean,
    phrase.urgent,
    phrase.minor,
    phrase.support,
    concept.mean,
    concept.urgent,
    concept.minor,
    conceptPain.mean,
    conceptPain.urgent,
    conceptPain.minor,
    phrasePain.mean,
    phrasePain.support,
    pick(
      (s) => s.mean,
      (a, b) => Math.min(a, b),
    ),
    pick(
      (s) => s.urgent,
      (a, b) => Math.max(a, b),
    ),
    pick(
      (s) => s.minor,
      (a, b) => Math.max(a, b),
    ),
    pick(
      (s) => s.mean,
      (a, b) => a + b,
    ) / Math.max(1, words.length),
  ];
}

/**
 * Encodings of the training rows, each from an encoder that never saw it:
 * rows are split round robin into `folds` parts.
 */
export function outOfFoldEncodings(
  complaints: readonly EncodedInput[],
  levelIndices: readonly number[],
  smoothing: number,
  folds: number,
): number[][] {
  const out = new Array<number[]>(complaints.length);
  for (let k = 0; k < folds; k++) {
    const inside = (i: number): boolean => i % folds !== k;
    const encoder = learnComplaintEncoder(
      complaints.filter((_, i) => inside(i)),
      levelIndices.filter((_, i) => inside(i)),
      smoothing,
    );
    complaints.forEach((complaint, i) => {
      if (!inside(i)) out[i] = encodeComplaint(encoder, complaint);
    });
  }
  return out;
}
