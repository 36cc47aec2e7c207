import { describeError } from '../../core/describe-error.ts';

/**
 * Readings refused because the write-ahead log cannot be written (a full disk, an I/O error, its
 * folder gone): none of them was acknowledged, so the sender should try again later.
 */
export class StorageUnavailableError extends Error {
  /** When the sender may try again. */
  readonly retryAfterSeconds = 5;
  /** The disk (or the sender's quota on it) is full. */
  readonly diskFull: boolean;

  constructor(cause: unknown) {
    super(`readings not stored: the write-ahead log cannot be written (${describeError(cause)})`, { cause });
    this.name = 'StorageUnavailableError';
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    this.diskFull = code === 'ENOSPC' || code === 'EDQUOT';
  }
}
