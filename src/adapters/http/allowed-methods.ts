/** A route as Hono lists it (`app.routes`): its method (`ALL` for middleware) and path pattern. */
export interface RouteEntry {
  method: string;
  path: string;
}

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a Hono path pattern (`/assets/:id`, `/files/*`, `:id{.+}`) matches `path`, segment by
 * segment as Hono's router does: `/traffic/` (a trailing slash) or `//traffic` is not `/traffic`,
 * and a parameter takes no empty segment.
 */
function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const have = path.split('/');
  for (let index = 0; index < want.length; index++) {
    const part = want[index] as string;
    if (part === '*') return true;
    const segment = have[index];
    if (segment === undefined) return false;
    if (part.startsWith(':')) {
      if (segment === '') return false;
      // A parameter with a pattern of its own (`:rest{.+}`) may take the rest of the path.
      if (part.includes('{')) return true;
    } else if (part !== segment) return false;
  }
  return want.length === have.length;
}

/**
 * The methods some route answers at `path` (HEAD where GET is), in a fixed order: what an `Allow`
 * header lists when a request's method is not among them. Empty when no route has the path.
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const allowed = new Set<string>();
  for (const route of routes)
    if (methods.has(route.method) && matches(route.path, path)) allowed.add(route.method);
  if (allowed.has('GET')) allowed.add('HEAD');
  return ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => allowed.has(method));
}
