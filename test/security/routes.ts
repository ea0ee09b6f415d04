import type {FastifyInstance} from 'fastify'

/** One route as the app serves it: `PUT /v1/instances/:ref/keys/:name`. */
export interface Route {
  method: string
  url: string
}

export const routeKey = (r: Route) => `${r.method} ${r.url}`

/**
 * Every route the app serves, read from Fastify's own route tree (`printRoutes`), so a route
 * added anywhere (a new plugin, a line in app.ts) shows up here without anyone listing it.
 * HEAD routes Fastify adds for each GET are left out: they run the GET route's hooks.
 *
 * The tree prints one node per line, indented four columns per level, each node naming the path
 * piece it adds and the methods that end there:
 *   ├── /v1/instances (POST, GET, HEAD)
 *   │   └── /:ref (GET, HEAD, PATCH, DELETE)
 */
export function listRoutes(app: FastifyInstance): Route[] {
  const tree = app.printRoutes({commonPrefix: false})
  const stack: string[] = []
  const routes: Route[] = []
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    stack.length = depth
    stack.push(m[2]!)
    const url = stack.join('')
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method !== 'HEAD') routes.push({method, url})
    }
  }
  if (routes.length === 0) throw new Error(`could not read any route from:\n${tree}`)
  return routes
}

/**
 * Routes anyone may call without a bearer token, on purpose. Everything else on the port must
 * answer 401 without one. The sign-in and device pages have their own cookie sessions and CSRF
 * tokens (tested in test/auth/pages.test.ts); the OAuth endpoints are how a token is obtained.
 */
export const PUBLIC_ROUTES: ReadonlyArray<RegExp> = [
  /^GET \/healthz$/,
  // The API's own description (src/contract/routes as OpenAPI 3.1).
  /^GET \/openapi\.json$/,
  /^GET \/\.well-known\//,
  /^POST \/oauth\/(device_authorization|token|revoke)$/,
  /^GET \/assets\//,
  /^(GET|POST) \/(signin|signup|signout|device)$/,
  /^POST \/device\/decision$/,
  /^GET \/v1\/status$/,
  // Telegram's updates: authenticated by the webhook secret header instead (test/channels/).
  /^POST \/v1\/channels\/telegram\/:instance\/webhook$/,
  // The console: browser sessions and CSRF like the pages above, not bearer tokens; its own sweep
  // (session needed, CSRF, another user's ids 404) is test/console/security.test.ts.
  /^GET \/(status|dashboard)?$/,
  /^(GET|POST) \/(instances|account)(\/|$)/,
]

export const isPublic = (r: Route) => PUBLIC_ROUTES.some((re) => re.test(routeKey(r)))

/** The routes that need a bearer token: every route that is not listed as public. */
export function protectedRoutes(app: FastifyInstance): Route[] {
  return listRoutes(app).filter((r) => !isPublic(r))
}

/** Puts values into a route template: `/v1/instances/:ref` with {ref: 'x'} → `/v1/instances/x`. */
export function fillPath(url: string, params: Record<string, string>, encode = true): string {
  return url.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no value for :${name} in ${url}`)
    return encode ? encodeURIComponent(value) : value
  })
}

export const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!)
