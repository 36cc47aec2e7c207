import { ApiError } from './api.ts';

/** Small display helpers. */
export function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The time of day for an instant of today (local time), else the date and time. */
export function moment(ms: number, nowMillis = Date.now()): string {
  return new Date(ms).toDateString() === new Date(nowMillis).toDateString() ? time(ms) : dateTime(ms);
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString([], {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function number(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Creates an element with a class and text, the only way the dashboard writes text (no innerHTML). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = '',
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== '') node.textContent = text;
  return node;
}

/** What a failed call says to a person: the platform's refusal, or that it could not be reached. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError)
    return error.status >= 500 ? `the platform answered ${error.status}: ${error.message}` : error.message;
  // fetch rejects with a TypeError ("Failed to fetch") when the platform cannot be reached at all
  return `cannot reach the platform (${error instanceof Error ? error.message : String(error)})`;
}
