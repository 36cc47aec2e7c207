/** A URL's user information (`scheme://user:password@`), up to the last `@` of its authority. */
const userInfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
/** Secrets carried in a query string (`?password=…`, as PostgreSQL URLs allow). */
const secretParameter = /([?&](?:password|pass|pwd|token|secret)=)[^&\s#]*/gi;

/**
 * `text` with the credentials of every URL in it hidden, for logs: `mqtt://user:secret@host`
 * becomes `mqtt://user:***@host`, a user part alone (a token, as NATS takes it) becomes `***`, and
 * `password=`, `token=` … query parameters lose their values. Anything else is left as it is.
 */
export function redactUrls(text: string): string {
  return text
    .replace(userInfo, (_match, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return `${scheme}${colon === -1 ? '***' : `${info.slice(0, colon)}:***`}@`;
    })
    .replace(secretParameter, '$1***');
}
