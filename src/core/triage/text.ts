/**
 * Byte decoding and the delimiter of patient files (records are split by `core/csv.ts`).
 * Pure: works on bytes and strings, no I/O.
 */

/** Decodes UTF-8 when the bytes are valid UTF-8, else Latin-1 (ISO-8859-1), byte for byte. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return decodeLatin1(bytes);
  }
}

export function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  const chunk = 8192;
  for (let start = 0; start < bytes.length; start += chunk) {
    text += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return text;
}

/** The delimiter of a header line: `;` when present (the KTAS export), else `,`. */
export function detectDelimiter(headerLine: string): ';' | ',' {
  return headerLine.includes(';') ? ';' : ',';
}
