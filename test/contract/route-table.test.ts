import {describe, expect, it} from 'vitest'
import {agentRoutes} from '../../src/agent/routes/index.js'
import {agentEndpoints} from '../../src/contract/agent-endpoints.js'
import {adminApi, agentApi, api, pathTo, routesOf, type RouteResponse} from '../../src/contract/routes/index.js'

describe('the route table (src/contract/routes)', () => {
  it('builds concrete paths, each parameter encoded', () => {
    expect(pathTo(api.instances.get, {ref: 'my-bot'})).toBe('/v1/instances/my-bot')
    expect(pathTo(api.keys.put, {ref: 'a/b', name: 'x y'})).toBe('/v1/instances/a%2Fb/keys/x%20y')
    expect(pathTo(api.tokens.list, {}, {limit: 5, cursor: undefined})).toBe('/v1/tokens?limit=5')
    expect(() => pathTo(api.instances.get, {} as {ref: string})).toThrow(/ref/)
  })

  it('types a route’s answer from its schema', () => {
    const answer: RouteResponse<typeof api.tokens.create> = {id: 'x', name: 'ci', created_at: '', expires_at: null, last_used_at: null, token: 't'}
    expect(answer.token).toBe('t')
  })

  it('defines each method and path once per table, every one with an answer', () => {
    for (const table of [api, {admin: adminApi}, {agent: agentApi}]) {
      const routes = routesOf(table)
      const keys = routes.map((r) => `${r.method} ${r.path.replace(/:\w+/g, ':')}`)
      expect(new Set(keys).size).toBe(keys.length)
      for (const r of routes) expect(Object.keys(r.responses).length, `${r.method} ${r.path}`).toBeGreaterThan(0)
    }
  })

  it('the agent serves exactly the endpoints of the zod-free core, which the zod table describes', () => {
    const served = agentRoutes.map((r) => `${r.method} ${r.path}`).sort()
    const core = Object.values(agentEndpoints).map((e) => `${e.method} ${e.path}`).sort()
    expect(served).toEqual(core)
    expect(routesOf({agent: agentApi}).map((r) => `${r.method} ${r.path}`).sort()).toEqual(core)
  })
})
