import type {FastifyInstance, FastifyReply, FastifyRequest, FastifySerializerCompiler, preHandlerHookHandler} from 'fastify'
import {serializerCompiler} from 'fastify-type-provider-zod'
import {z} from 'zod'
import {namesThing, type ResponseSpec, type RouteResponse, type RouteSpec} from '../contract/routes/index.js'
import {requireAuth} from './auth/authenticate.js'
import {requireAuthOrBrowserSession} from './auth/browser-auth.js'
import type {ServerContext} from './context.js'
import {ApiError} from './errors.js'

/**
 * Registers a contract route (src/contract/routes) on a Fastify app: its method and path, the
 * hooks its `auth` names, its request checked against its params, query and body schemas, and its
 * JSON answers serialised through their schemas (fastify-type-provider-zod's serializer), so an
 * answer that breaks the contract is a 500, never sent.
 *
 * The request is checked at the start of the handler, after the route's hooks, as the handlers
 * did by hand before: who is asking (401) and their rate limit (429) come before what they sent.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contract route this Fastify route serves (src/contract/routes); pages have none. */
    contract?: RouteSpec
  }
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : unknown
/** A JSON body is checked; a raw one (a tar) arrives as bytes; a form (OAuth) is the handler's to check. */
type Body<R extends RouteSpec> = R['bodyTypes'] extends readonly (infer T)[] ? ('application/json' extends T ? Parsed<R['body']> | Buffer : unknown) : Parsed<R['body']>
export type RouteRequest<R extends RouteSpec> = FastifyRequest<{Params: Parsed<R['params']>; Querystring: Parsed<R['query']>; Body: Body<R>}>
type Answer<R extends RouteSpec> = RouteResponse<R> | FastifyReply
export type RouteHandler<R extends RouteSpec> = (req: RouteRequest<R>, reply: FastifyReply) => Promise<Answer<R>> | Answer<R>

export interface ServeOptions {
  /** Hooks in place of those the route's `auth` names (the Telegram webhook checks its secret itself). */
  hooks?: preHandlerHookHandler | preHandlerHookHandler[]
  bodyLimit?: number
}
export type Serve = <R extends RouteSpec>(route: R, handler: RouteHandler<R>, options?: ServeOptions) => void

export function serveRoutes(app: FastifyInstance, ctx?: ServerContext): Serve {
  const hooksFor = (route: RouteSpec) => {
    if (route.auth === 'bearer') return requireAuth(ctx!)
    if (route.auth === 'bearer-or-session') return requireAuthOrBrowserSession(ctx!)
    return undefined
  }
  return (route, handler, options = {}) => {
    const success = onlySuccessStatus(route)
    app.route({
      method: route.method,
      url: route.path,
      schema: {response: jsonResponses(route.responses)},
      config: {contract: route},
      serializerCompiler: serializerCompiler as FastifySerializerCompiler<unknown>,
      preHandler: options.hooks ?? hooksFor(route),
      ...(options.bodyLimit ? {bodyLimit: options.bodyLimit} : {}),
      handler: async (req, reply) => {
        checkRequest(route, req)
        if (success) reply.code(success)
        return handler(req as RouteRequest<typeof route>, reply)
      },
    })
  }
}

const isSchema = (spec: ResponseSpec): spec is z.ZodType => spec instanceof z.ZodType

function jsonResponses(responses: RouteSpec['responses']): Record<number, z.ZodType> {
  return Object.fromEntries(Object.entries(responses).filter((entry): entry is [string, z.ZodType] => isSchema(entry[1])))
}

/** A route with one success status other than 200 answers it without each handler saying so. */
function onlySuccessStatus(route: RouteSpec): number | undefined {
  const success = Object.keys(route.responses).map(Number).filter((s) => s >= 200 && s < 300)
  return success.length === 1 && success[0] !== 200 ? success[0] : undefined
}

function checkRequest(route: RouteSpec, req: FastifyRequest): void {
  if (route.params) req.params = parsePart(route.params, req.params, 'path')
  if (route.query) req.query = parsePart(route.query, req.query, 'query')
  // Raw bodies (a tar push) are checked by their handler; so are forms, which answer OAuth errors.
  const json = !route.bodyTypes || route.bodyTypes.includes('application/json')
  if (route.body && json && !Buffer.isBuffer(req.body)) req.body = parsePart(route.body, req.body, 'body')
}

function parsePart(schema: z.ZodType, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  let parsed = schema.safeParse(value)
  // A body whose fields are all optional may be left out, or sent as null.
  if (!parsed.success && where === 'body' && value == null) {
    const empty = schema.safeParse({})
    if (empty.success) parsed = empty
  }
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  if (where === 'path' && schema instanceof z.ZodObject) {
    const thing = namesThing.get(schema.shape[String(issue?.path[0])])
    if (thing) throw ApiError.notFound(thing.what, thing.hint)
  }
  throw invalid(issue, where)
}

/** Names the offending field but never echoes its value, since values may be secrets. */
function invalid(issue: z.core.$ZodIssue | undefined, where: string): ApiError {
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : where
  const reason =
    issue?.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
      : (issue?.message ?? 'invalid')
  return ApiError.validation(`Invalid ${where}: ${path}: ${reason}.`)
}
