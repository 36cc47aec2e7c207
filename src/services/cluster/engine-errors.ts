/**
 * ClickHouse error codes that no retry will cure: unknown user (192), wrong password (193),
 * password required (194), address not allowed (195), authentication failed (516, newer servers).
 */
const refusedCodes = new Set(['192', '193', '194', '195', '516']);

/**
 * Whether ClickHouse refused the configured user or password. Newer clients parse the code; an
 * answer of an older server keeps it only in the message (`Code: 192, e.displayText() = …`).
 */
export function isClickHouseAuthenticationFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined && refusedCodes.has(String(code))) return true;
  const match = /^Code: (\d+)\b/.exec(error.message);
  return match !== null && refusedCodes.has(match[1]!);
}
