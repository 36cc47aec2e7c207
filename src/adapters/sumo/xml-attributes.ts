/** Attributes of SUMO's XML elements (networks, routes, outputs), read from an element's attribute text. */

/** The value of attribute `name` in `attributes` (an element's text between its name and `>`). */
export function attribute(attributes: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes)?.[1];
}

/** `attributes` without the attributes named, with a leading space unless nothing is left. */
export function withoutAttributes(attributes: string, names: readonly string[]): string {
  let rest = attributes;
  for (const name of names) rest = rest.replace(new RegExp(`(?:^|\\s)${name}="[^"]*"`), '');
  const trimmed = rest.trim();
  return trimmed === '' ? '' : ` ${trimmed}`;
}
