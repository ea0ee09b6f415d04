import {z} from 'zod'
import type {ErrorCode} from '../problem.js'
import type {Endpoint, PathParams} from '../route-path.js'

export type {ErrorCode}
export {pathTo, type HttpMethod, type PathParams, type QueryValues} from '../route-path.js'

/**
 * One route, defined once: the server registers it from here (validating the request and checking
 * the response), the CLI's client calls it from here, and /openapi.json is generated from here.
 */
/** A body that is not a JSON document: a stream of events, a page, an archive. */
export interface RawBody {
  readonly contentType: string
  /** What each event of a stream (or the document) holds, when it has a shape. */
  readonly schema?: z.ZodType
}
/** A JSON body (zod schema), no body (null: a 204), or a body of another type. */
export type ResponseSpec = z.ZodType | null | RawBody

/**
 * Who may call: anyone; a bearer token (an access token or a personal API token); that or the
 * console's browser session with its CSRF header; Telegram with the webhook secret; the operator on
 * the admin socket; the server on an agent's socket, with the instance secret.
 */
export type RouteAuth = 'none' | 'bearer' | 'bearer-or-session' | 'webhook-secret' | 'admin-socket' | 'instance-secret'

export interface RouteSpec extends Endpoint {
  /** One line for people (OpenAPI's summary). */
  readonly summary: string
  readonly auth: RouteAuth
  readonly params?: z.ZodObject
  readonly query?: z.ZodObject
  readonly body?: z.ZodType
  /** The body's content types; default JSON. OAuth takes forms (as the RFCs say); a workspace push, tar too. */
  readonly bodyTypes?: readonly string[]
  /** Answers by status code. Problems (problem+json) are not listed here: see `errors`. */
  readonly responses: Readonly<Record<number, ResponseSpec>>
  /** The stable codes (src/contract/problem.ts) of the problems this route can answer. */
  readonly errors: readonly ErrorCode[]
}

/**
 * Path parameters that name a thing: one that cannot (an id of the wrong shape) names nothing, so
 * the answer is 404 `No such <what>`, exactly as for a well-formed id nobody has, never "invalid".
 */
export const namesThing = z.registry<{what: string; hint?: string}>()

/** Keeps a route's literal types (path, schemas) so clients infer parameters and answers from it. */
export const defineRoute = <const R extends RouteSpec>(route: R): R => route

type Success = 200 | 201 | 202 | 204
type Body<S> = S extends z.ZodType ? z.output<S> : S extends null ? undefined : S extends RawBody ? unknown : never

/** What a route answers on success (the union over its 2xx statuses). */
export type RouteResponse<R extends RouteSpec> = Body<R['responses'][Extract<keyof R['responses'], Success>]>
/** The body a client sends (the schema's input: defaults may be left out). */
export type RouteBody<R extends RouteSpec> = R['body'] extends z.ZodType ? z.input<R['body']> : undefined
/** The query a client sends. */
export type RouteQuery<R extends RouteSpec> = R['query'] extends z.ZodType ? z.input<R['query']> : undefined
/** The path parameters, from the path itself. */
export type RouteParams<R extends RouteSpec> = PathParams<R['path']>

/** The errors every route can answer whatever it does: a bad request, a rate limit, an outage. */
export const ALWAYS = ['bad_request', 'payload_too_large', 'rate_limited', 'unavailable', 'internal'] as const satisfies readonly ErrorCode[]
/** …plus those of a route that needs a credential. */
export const SIGNED_IN = [...ALWAYS, 'unauthenticated', 'token_expired'] as const satisfies readonly ErrorCode[]
/** …plus not_found, for a route that names something of the account (an instance, a key). */
export const FOUND = [...SIGNED_IN, 'not_found'] as const satisfies readonly ErrorCode[]
/** …plus wrong_state, for a route forwarded to the instance, which is started when paused: it can wait for that and fail with it. */
export const FORWARDED = [...FOUND, 'wrong_state'] as const satisfies readonly ErrorCode[]
