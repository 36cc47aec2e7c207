import { Api, ApiError } from './api.ts';
import type { Whoami } from './types.ts';

const storageKey = 'urban-brain.key';
const noticeKey = 'urban-brain.notice';

/** The signed-in key lives in sessionStorage: gone when the tab closes, never in a cookie. */
export function storedKey(): string | null {
  return sessionStorage.getItem(storageKey);
}

export function forgetKey(): void {
  sessionStorage.removeItem(storageKey);
}

/** Whether the platform refused the key itself (401, or 403 for a device key), not merely failed. */
export function isRefusedKey(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 403);
}

/** Keeps a message for the sign-in form across a reload of the page (why the session ended). */
export function leaveNotice(message: string): void {
  sessionStorage.setItem(noticeKey, message);
}

/** The message left by `leaveNotice`, once; '' when there is none. */
export function takeNotice(): string {
  const message = sessionStorage.getItem(noticeKey) ?? '';
  sessionStorage.removeItem(noticeKey);
  return message;
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
