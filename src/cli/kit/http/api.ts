import type {z} from 'zod'
import type {RawBody, RouteBody, RouteParams, RouteQuery, RouteResponse, RouteSpec} from '../../../contract/routes/define.js'
import type {api as publicRoutes} from '../../../contract/routes/index.js'
import {pathTo, type QueryValues} from '../../../contract/route-path.js'
import type {ApiClient, StreamOptions} from './api-client.js'
import type {HttpStream} from './transport.js'

type Success<R extends RouteSpec> = R['responses'][Extract<keyof R['responses'], 200 | 201 | 202 | 204>]
type Streams<R extends RouteSpec> = Success<R> extends RawBody ? true : false

/** A route's call: its path parameters by name, and `body` and `query` where the route takes them. */
export type RouteInput<R extends RouteSpec> = RouteParams<R> &
  (R['body'] extends z.ZodType ? {body: RouteBody<R>} : unknown) &
  (R['query'] extends z.ZodType ? {query?: RouteQuery<R>} : unknown) &
  (Streams<R> extends true ? Omit<StreamOptions, 'body'> : {signal?: AbortSignal})

/** An event stream's route answers the open stream; every other one its parsed 2xx body. */
type Answer<R extends RouteSpec> = Streams<R> extends true ? HttpStream : RouteResponse<R>
type Method<R extends RouteSpec> = object extends RouteInput<R> ? (input?: RouteInput<R>) => Promise<Answer<R>> : (input: RouteInput<R>) => Promise<Answer<R>>
/** One method per route of a table of routes (src/contract/routes), named as the table names them. */
export type RouteMethods<T extends Record<string, RouteSpec>> = {[K in keyof T]: Method<T[K]>}

type Public = typeof publicRoutes
/** The clawd API as the CLI calls it: `api.instances.get({ref})` is GET /v1/instances/:ref. */
export type Api = {[G in keyof Public]: RouteMethods<Public[G]>}

/**
 * Each group's routes, loaded on its first call: a command loads the schemas of the routes it
 * calls, and none at start-up (`clawd whoami` without a login loads no contract schema). Typed
 * against the table, so a group added there and not here fails to compile.
 */
const GROUPS: {[G in keyof Public]: () => Promise<Public[G]>} = {
  service: async () => (await import('../../../contract/routes/service.js')).serviceApi,
  oauth: async () => (await import('../../../contract/routes/auth.js')).oauthApi,
  me: async () => (await import('../../../contract/routes/auth.js')).meApi,
  tokens: async () => (await import('../../../contract/routes/auth.js')).tokensApi,
  instances: async () => (await import('../../../contract/routes/instances.js')).instancesApi,
  keys: async () => (await import('../../../contract/routes/keys.js')).keysApi,
  sessions: async () => (await import('../../../contract/routes/sessions.js')).sessionsApi,
  workspace: async () => (await import('../../../contract/routes/workspace.js')).workspaceApi,
  channels: async () => (await import('../../../contract/routes/channels.js')).channelsApi,
  account: async () => (await import('../../../contract/routes/account.js')).accountApi,
  logs: async () => (await import('../../../contract/routes/account.js')).logsApi,
}

export type RouteCall = (route: RouteSpec, path: string, input: StreamOptions) => Promise<unknown>

/** The methods of one table of routes, each building its path and handing it to `call`. */
export function routeMethods<T extends Record<string, RouteSpec>>(load: () => Promise<T>, call: RouteCall): RouteMethods<T> {
  // A proxy, so the table loads on the first call rather than when the client is made.
  return new Proxy({} as RouteMethods<T>, {
    get: (_, name) =>
      typeof name !== 'string' || name === 'then'
        ? undefined
        : async (input: Record<string, unknown> = {}) => {
            const route = (await load())[name]
            if (!route) throw new TypeError(`no route named ${name}`)
            // One object holds the path parameters (pathTo takes only those), the query and the request's options.
            return call(route, pathTo(route, input as never, input.query as QueryValues | undefined), input as StreamOptions)
          },
  })
}

/** What a route answers on success: a schema, null (no body), or a raw body such as an event stream. */
export function successSpec(route: RouteSpec): RouteSpec['responses'][number] | undefined {
  return Object.entries(route.responses).find(([status]) => Number(status) < 300)?.[1]
}

/** The typed client over an ApiClient: the one token, refresh and problem mapping for every route. */
export function apiFor(client: ApiClient): Api {
  const call: RouteCall = (route, path, input) => {
    const spec = successSpec(route)
    if (spec && 'contentType' in spec) return client.events(route.method as 'GET' | 'POST', path, input)
    return client.request(route.method, path, {body: input.body, signal: input.signal, auth: route.auth !== 'none', schema: (spec ?? undefined) as z.ZodType | undefined})
  }
  const groups = new Map<string, unknown>()
  return new Proxy({} as Api, {
    get: (_, group) => {
      const load = typeof group === 'string' ? GROUPS[group as keyof Api] : undefined
      if (!load) return undefined
      if (!groups.has(group as string)) groups.set(group as string, routeMethods(load as () => Promise<Record<string, RouteSpec>>, call))
      return groups.get(group as string)
    },
  })
}
