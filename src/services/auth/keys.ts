import type { ApiKey, KeyInfo } from '../../core/auth/key.ts';
import { isLiveAt, keyInfo } from '../../core/auth/key.ts';
import type { Role } from '../../core/auth/role.ts';
import type { KeyStore, SecretHasher } from '../../ports/keys.ts';

export interface CreatedKey {
  /** Shown once; only its hash is kept. */
  secret: string;
  info: KeyInfo;
}

/** What revoking a key through the API came to: done, no live key with that id, or refused. */
export type RevokeOutcome = { ok: true } | { ok: false; reason: 'unknown' | 'last-admin' };

/** The first admin key at start: taken from configuration, generated, or already there. */
export type AdminBootstrap =
  { kind: 'existing' } | { kind: 'configured' } | { kind: 'generated'; secret: string };

/** Issuing, checking and revoking API keys. */
export class KeyService {
  readonly #store: KeyStore;
  readonly #secrets: SecretHasher;
  readonly #now: () => number;
  readonly #revocationListeners = new Set<(id: string) => void>();

  constructor(store: KeyStore, secrets: SecretHasher, nowMillis: () => number = Date.now) {
    this.#store = store;
    this.#secrets = secrets;
    this.#now = nowMillis;
  }

  /** The time keys are checked against (their expiry). */
  nowMillis(): number {
    return this.#now();
  }

  /** The live key a secret stands for, or undefined (unknown, revoked or expired). */
  async authenticate(secret: string): Promise<ApiKey | undefined> {
    if (secret === '') return undefined;
    const key = await this.#store.findByHash(this.#secrets.hash(secret));
    return key === undefined || !isLiveAt(key, this.#now()) ? undefined : key;
  }

  /**
   * Issues a key with a random id. `sensors` (validated by `checkScope`) limits what a device key
   * may write; `expiresMillis` (not for admin keys) is when it stops working; `secret` is given only
   * for the configured admin key.
   */
  async create(
    name: string,
    role: Role,
    options: { sensors?: readonly string[]; expiresMillis?: number; secret?: string } = {},
  ): Promise<CreatedKey> {
    if (options.expiresMillis !== undefined && role === 'admin')
      throw new RangeError('admin keys do not expire: a live admin key must always remain');
    const secret = options.secret ?? this.#secrets.generate();
    const key: ApiKey = {
      id: this.#secrets.newId(),
      name,
      role,
      hash: this.#secrets.hash(secret),
      createdMillis: this.#now(),
      revokedMillis: null,
    };
    if (options.sensors !== undefined) key.sensors = options.sensors;
    if (options.expiresMillis !== undefined) key.expiresMillis = options.expiresMillis;
    await this.#store.add(key);
    return { secret, info: keyInfo(key) };
  }

  async list(): Promise<KeyInfo[]> {
    return (await this.#store.list()).map(keyInfo);
  }

  /**
   * Whether a key authenticated earlier is still live: not revoked since (here or by another
   * process), and not expired.
   */
  async isLive(key: ApiKey): Promise<boolean> {
    const stored = await this.#store.findByHash(key.hash);
    return stored !== undefined && isLiveAt(stored, this.#now());
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.#store.revoke(id, this.#now());
    if (revoked) this.#revoked(id);
    return revoked;
  }

  /**
   * Revokes a key for an API caller, refusing the last live admin key: without one nobody could
   * manage keys until a restart (or, with a revoked configured key, until a new one is configured).
   * The store checks and revokes as one step, so two callers, here or in another process sharing
   * the store, cannot each revoke one of the last two admin keys.
   */
  async revokeKeepingAnAdmin(id: string): Promise<RevokeOutcome> {
    const outcome = await this.#store.revokeKeepingAnAdmin(id, this.#now());
    if (outcome !== 'revoked') return { ok: false, reason: outcome };
    this.#revoked(id);
    return { ok: true };
  }

  #revoked(id: string): void {
    for (const listener of this.#revocationListeners) listener(id);
  }

  /** Calls `listener` with the id of each key this service revokes, at once; returns the unsubscribe. */
  onRevoke(listener: (id: string) => void): () => void {
    this.#revocationListeners.add(listener);
    return () => this.#revocationListeners.delete(listener);
  }

  /**
   * Makes sure an admin key exists. A configured secret is registered, under a random id, if its
   * hash is not stored yet, and found by its hash at every later start (same record, same id);
   * with none configured, a key is generated only when no live admin key exists.
   */
  async bootstrapAdmin(configuredSecret: string | null): Promise<AdminBootstrap> {
    if (configuredSecret !== null) {
      // A configured key that was revoked stays revoked: revocation must survive restarts.
      if ((await this.#store.findByHash(this.#secrets.hash(configuredSecret))) !== undefined) {
        return { kind: 'existing' };
      }
      await this.create('admin (configured)', 'admin', { secret: configuredSecret });
      return { kind: 'configured' };
    }
    const keys = await this.#store.list();
    if (keys.some((key) => key.role === 'admin' && key.revokedMillis === null)) return { kind: 'existing' };
    const created = await this.create('admin (generated)', 'admin');
    return { kind: 'generated', secret: created.secret };
  }
}
