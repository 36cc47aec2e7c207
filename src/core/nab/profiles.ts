/** NAB's cost matrix of one application profile. */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const PROFILE_NAMES: readonly ProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

/** The three profiles of NAB 1.x (config/profiles.json). */
export const NAB_PROFILES: Readonly<Record<ProfileName, CostMatrix>> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22, tnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11, tnWeight: 1 },
};

export type ProfileResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates a parsed config/profiles.json; names the profile and weight at fault. */
export function parseProfiles(json: unknown): ProfileResult<Record<ProfileName, CostMatrix>> {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'profiles: expected an object' };
  const out: Partial<Record<ProfileName, CostMatrix>> = {};
  for (const name of PROFILE_NAMES) {
    const entry = (json as Record<string, unknown>)[name];
    const matrix =
      typeof entry === 'object' && entry !== null
        ? (entry as Record<string, unknown>)['CostMatrix']
        : undefined;
    if (typeof matrix !== 'object' || matrix === null)
      return { ok: false, reason: `profiles: '${name}.CostMatrix' is missing` };
    const weights: Record<string, number> = {};
    for (const key of ['tpWeight', 'fpWeight', 'fnWeight', 'tnWeight']) {
      const value = (matrix as Record<string, unknown>)[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return {
          ok: false,
          reason: `profiles: '${name}.CostMatrix.${key}' = ${String(value)} must be a finite number ≥ 0`,
        };
      }
      weights[key] = value;
    }
    out[name] = weights as unknown as CostMatrix;
  }
  return { ok: true, value: out as Record<ProfileName, CostMatrix> };
}
