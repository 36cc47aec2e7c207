import { hash, randomBytes } from 'node:crypto';
import type { SecretHasher } from '../../ports/keys.ts';

/** Secrets are `ub_` and 32 random bytes in base64url; hashes are SHA-256 in hex; ids 6 random bytes in hex. */
export const nodeSecrets: SecretHasher = {
  generate(): string {
    return `ub_${randomBytes(32).toString('base64url')}`;
  },
  hash(secret: string): string {
    // The one-shot hash: a Hash object per call cost four times as long, on every request.
    return hash('sha256', secret, 'hex');
  },
  newId(): string {
    return randomBytes(6).toString('hex');
  },
};
