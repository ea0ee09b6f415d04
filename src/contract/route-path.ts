/**
 * Turning a route's Fastify-style path (`/v1/instances/:ref/keys/:name`) into a concrete one.
 * Zod-free, so the agent's side, the server's clients and the CLI share it. Each parameter is
 * encoded with encodeURIComponent, so a name or id can never add a path segment.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A route's method and path: the part of a contract route that the agent, without zod, needs too. */
export interface Endpoint {
  readonly method: HttpMethod
  readonly path: string
}

/** `{ref: string, name: string}` for `/v1/instances/:ref/keys/:name`; `{}` for a path without parameters. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? {[K in Name]: string} & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? {[K in Name]: string}
    : Record<never, never>

/** The values of a query string; undefined ones are left out. */
export type QueryValues = Record<string, string | number | boolean | undefined>

/**
 * The concrete path of a route: `pathTo(api.instances.get, {ref: 'my-bot'})` is
 * `/v1/instances/my-bot`. A query, when given, is appended (undefined values are left out).
 */
export function pathTo<P extends string>(route: {readonly path: P}, params: PathParams<P>, query?: QueryValues): string {
  const values = params as Record<string, string>
  const path = route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new TypeError(`${route.path} needs the parameter "${name}"`)
    return encodeURIComponent(value)
  })
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v))
  const qs = search.toString()
  return qs ? `${path}?${qs}` : path
}
