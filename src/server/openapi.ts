import {readFileSync} from 'node:fs'
import {STATUS_CODES} from 'node:http'
import {join} from 'node:path'
import {z} from 'zod'
import {TELEGRAM_SECRET_HEADER} from '../contract/channels.js'
import {PROBLEM_CONTENT_TYPE, problemSchema} from '../contract/problem.js'
import {api, type ResponseSpec, type RouteSpec} from '../contract/routes/index.js'
import {packageRoot} from '../paths.js'
import {BROWSER_CSRF_HEADER} from './auth/csrf.js'

/**
 * GET /openapi.json: the public API as OpenAPI 3.1, made from the same route table the server
 * registers (src/contract/routes), with zod's own JSON Schema output (draft 2020-12, the dialect
 * OpenAPI 3.1 uses). Built on the first request and kept.
 */
let document: {openapi: string} | undefined
export const openApiDocument = () => (document ??= build())

const JSON_TYPE = 'application/json'
const schemaOf = (schema: z.ZodType, io: 'input' | 'output') => {
  const {$schema: _, ...rest} = z.toJSONSchema(schema, {target: 'draft-2020-12', io, unrepresentable: 'any'})
  return rest
}

function build() {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const [group, routes] of Object.entries(api)) {
    for (const [name, route] of Object.entries(routes as Record<string, RouteSpec>)) {
      ;(paths[route.path.replace(/:(\w+)/g, '{$1}')] ??= {})[route.method.toLowerCase()] = operation(`${group}.${name}`, route)
    }
  }
  const {version} = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {version: string}
  return {
    openapi: '3.1.0',
    info: {title: 'clawd API', version, description: 'The companion API of the clawd CLI. Errors are RFC 9457 problem+json with a stable `code`.'},
    components: {
      securitySchemes: {
        bearer: {type: 'http', scheme: 'bearer', description: 'An access token from /oauth/token, or a personal API token.'},
        browserSession: {type: 'apiKey', in: 'header', name: BROWSER_CSRF_HEADER, description: 'The web console: its session cookie and the page’s CSRF token.'},
        webhookSecret: {type: 'apiKey', in: 'header', name: TELEGRAM_SECRET_HEADER},
      },
    },
    paths,
  }
}

const SECURITY: Partial<Record<RouteSpec['auth'], unknown[]>> = {
  none: [],
  bearer: [{bearer: []}],
  'bearer-or-session': [{bearer: []}, {browserSession: []}],
  'webhook-secret': [{webhookSecret: []}],
}

function operation(operationId: string, route: RouteSpec) {
  const bodyTypes = route.bodyTypes ?? [JSON_TYPE]
  return {
    operationId,
    summary: route.summary,
    security: SECURITY[route.auth],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body && {
      requestBody: {
        required: true,
        content: Object.fromEntries(bodyTypes.map((type) => [type, {schema: type === JSON_TYPE || type.endsWith('form-urlencoded') ? schemaOf(route.body!, 'input') : {type: 'string', contentMediaType: type}}])),
      },
    }),
    responses: {
      ...Object.fromEntries(Object.entries(route.responses).map(([status, spec]) => [status, response(Number(status), spec)])),
      ...(route.errors.length > 0 && {default: {description: `A problem; its code is one of: ${route.errors.join(', ')}.`, content: {[PROBLEM_CONTENT_TYPE]: {schema: schemaOf(problemSchema, 'output')}}}}),
    },
  }
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query') {
  if (!schema) return []
  const json = schemaOf(schema, 'input') as {properties?: Record<string, unknown>; required?: string[]}
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property}))
}

function response(status: number, spec: ResponseSpec) {
  const description = STATUS_CODES[status] ?? String(status)
  if (spec === null) return {description}
  if (spec instanceof z.ZodType) return {description, content: {[JSON_TYPE]: {schema: schemaOf(spec, 'output')}}}
  return {description, content: {[spec.contentType]: spec.schema ? {schema: schemaOf(spec.schema, 'output')} : {}}}
}
