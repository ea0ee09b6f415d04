import {Validator} from '@seriousme/openapi-schema-validator'
import Fastify, {type RouteOptions} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {z} from 'zod'
import {api, defineRoute, routesOf, type RouteSpec} from '../../src/contract/routes/index.js'
import {buildApp} from '../../src/server/app.js'
import {registerProblemHandler} from '../../src/server/problem-handler.js'
import {serveRoutes} from '../../src/server/serve.js'
import {startTestServer} from '../helpers/server.js'

/**
 * The web console's and the sign-in pages' routes: HTML pages, the forms they post (answered with
 * a redirect or a page), and their static assets. They are the browser's, not the API's, so they
 * have no contract entry. Every other route on the port must come from src/contract/routes.
 */
const WEB_PAGES: readonly RegExp[] = [/^\/$/, /^\/(signin|signup|signout|device|device\/decision|dashboard|status)$/, /^\/(instances|account)(\/|$)/, /^\/assets\//]

describe('the contract covers every route', () => {
  const registered: RouteOptions[] = []
  let server: Awaited<ReturnType<typeof startTestServer>>
  let app: Awaited<ReturnType<typeof buildApp>>
  beforeAll(async () => {
    server = await startTestServer()
    // The app as the server builds it, with an observer on its routes as they are registered.
    app = await buildApp(server.ctx, {onRoute: (route) => void registered.push(route)})
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await server?.dispose()
  })

  it('every route but the web pages serves a contract route, with a response schema', () => {
    const routes = registered.filter((r) => r.method !== 'HEAD')
    const pages = routes.filter((r) => WEB_PAGES.some((re) => re.test(r.url)))
    expect(pages.every((r) => !r.config?.contract), 'a page that is also a contract route').toBe(true)
    const uncovered = routes.filter((r) => !pages.includes(r)).filter((r) => {
      const contract = r.config?.contract
      const schemas = Object.values(contract?.responses ?? {}).filter((spec) => spec instanceof z.ZodType || (spec !== null && 'contentType' in spec))
      return !contract || contract.method !== r.method || contract.path !== r.url || (schemas.length === 0 && !Object.values(contract.responses).includes(null))
    })
    expect(uncovered.map((r) => `${String(r.method)} ${r.url}`)).toEqual([])
    expect(pages.length).toBeGreaterThan(10)
  })

  it('every public contract route is served', () => {
    const served = new Set(registered.map((r) => r.config?.contract).filter((c): c is RouteSpec => c !== undefined))
    expect(routesOf(api).filter((r) => !served.has(r)).map((r) => `${r.method} ${r.path}`)).toEqual([])
  })

  it('serves /openapi.json, a valid OpenAPI 3.1 document of those routes', async () => {
    const res = await app.inject({method: 'GET', url: '/openapi.json'})
    expect(res.statusCode).toBe(200)
    const doc = res.json() as {openapi: string; paths: Record<string, Record<string, unknown>>}
    const validator = new Validator()
    const verdict = await validator.validate(doc)
    expect(verdict.errors ?? []).toEqual([])
    expect(verdict.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0)
    expect(operations).toBe(routesOf(api).length)
    expect(doc.paths['/v1/instances/{ref}']).toHaveProperty('get.responses.200.content.application/json.schema')
  })
})

describe('an answer that breaks its schema', () => {
  it('fails the request instead of being sent', async () => {
    const app = Fastify({logger: false})
    registerProblemHandler(app)
    const route = defineRoute({method: 'GET', path: '/broken', summary: 'A handler that breaks its contract.', auth: 'none', responses: {200: z.object({n: z.number()})}, errors: []})
    serveRoutes(app)(route, () => ({n: 'not a number'}) as unknown as {n: number})
    const res = await app.inject({method: 'GET', url: '/broken'})
    expect(res.statusCode).toBe(500)
    expect(res.json()).toMatchObject({code: 'internal'})
    expect(res.body).not.toContain('not a number')
    await app.close()
  })
})
