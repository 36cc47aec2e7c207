import { Api, ApiError } from './api.ts';
import type { Whoami } from './types.ts';

const storageKey = 'urban-brain.key';

/** The signed-in key lives in sessionStorage: gone when the tab closes, never in a cookie. */
export function storedKey(): string | null {
  return sessionStorage.getItem(storageKey);
}

export function forgetKey(): void {
  sessionStorage.removeItem(storageKey);
}

/** Checks a key against the platform and learns its role; remembers it for this tab when valid. */
export async function signIn(key: string): Promise<{ api: Api; who: Whoami }> {
  const api = new Api(key);
  const who = await api.get<Whoami>('/api/v1/me');
  if (who.role === 'device') throw new ApiError(403, 'a device key may only send readings');
  sessionStorage.setItem(storageKey, key);
  return { api, who };
}

export function canAct(who: Whoami): boolean {
  return who.role === 'operator' || who.role === 'admin';
}
