/** Checks shared by every edge that reads an untrusted object (an HTTP body, a file's record). */

/** A JSON object: not null, not an array. */
export function isRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** The fields of `record` not in `known`, in order: each is refused (a misspelt field must not pass unnoticed). */
export function unknownFields(record: object, known: readonly string[]): string[] {
  return Object.keys(record).filter((field) => !known.includes(field));
}

// eslint-disable-next-line no-control-regex -- control characters are what the rule refuses
const controlCharacter = /[\u0000-\u001f\u007f]/;

/** A refused value as an error message shows it: JSON, cut to `maxLength` characters. */
export function shownValue(value: unknown, maxLength = 80): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/**
 * Text of 1 to `maxLength` characters (UTF-16 code units), not blank, without control characters:
 * names and ids that are shown, logged or carried back in a URL path.
 */
export function isPlainText(value: unknown, maxLength: number): value is string {
  return (
    typeof value === 'string' &&
    value.length <= maxLength &&
    value.trim() !== '' &&
    !controlCharacter.test(value)
  );
}

/**
 * `record[key]` when `key` is the record's own: a lookup of untrusted text in a table of codes must
 * not find what every object inherits (`constructor`, `toString`, `__proto__`).
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
