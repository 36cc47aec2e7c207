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
