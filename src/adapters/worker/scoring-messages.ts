import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import type { Crossing, ScoringOptions } from '../../ports/scoring.ts';
import type { KeyedColumns, PackedStates, ReadingColumns } from './columns.ts';

/** What the scoring thread is started with (its `workerData`). */
export interface ScoringThreadData {
  module: string;
  detector: string;
  options: ScoringOptions;
  /** Where the thread's spill is, when it has one: deleted by the owner however the thread ends. */
  spillFile?: string;
}

export type ScoringRequest =
  | ({ type: 'score'; id: number } & ReadingColumns)
  | ({ type: 'score-keyed'; id: number } & KeyedColumns)
  | { type: 'history'; id: number; sensor: string; fromMillis: number; toMillis: number }
  | { type: 'take'; id: number; all: boolean; limit: number; resume: boolean }
  | { type: 'dirty'; id: number; sensors: string }
  /** Answered once every request before it was (and so once the thread runs): what `ready` waits for. */
  | { type: 'sync'; id: number }
  /** Answered once every request before it was, and the spill is freed: the last request. */
  | { type: 'close'; id: number }
  | { type: 'restore'; id: number; states: PackedStates };

export type ScoringReply = { id: number; sensorCount: number } & (
  | { type: 'score'; crossings: Crossing[] }
  | { type: 'history'; points: EvidencePoint[] | undefined }
  | { type: 'take'; states: PackedStates }
  | { type: 'dirty' }
  | { type: 'sync' }
  | { type: 'close' }
  | { type: 'restore'; restored: number; skipped: number }
  | { type: 'failed'; message: string }
);
