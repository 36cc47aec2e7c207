import { createHash, randomBytes } from 'node:crypto';
import type { SecretHasher } from '../../ports/keys.ts';

/** Secrets are `ub_` and 32 random bytes in base64url; hashes are SHA-256 in hex; ids 6 random bytes in hex. */
export const nodeSecrets: SecretHasher = {
  generate(): string {
    return `ub_${randomBytes(32).toString('base64url')}`;
  },
  hash(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  },
  newId(): string {
    return randomBytes(6).toString('hex');
  },
};
