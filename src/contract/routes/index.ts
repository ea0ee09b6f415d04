import {accountApi, logsApi} from './account.js'
import {adminApi} from './admin.js'
import {agentApi} from './agent.js'
import {meApi, oauthApi, tokensApi} from './auth.js'
import {channelsApi} from './channels.js'
import type {RouteSpec} from './define.js'
import {instancesApi} from './instances.js'
import {keysApi} from './keys.js'
import {serviceApi} from './service.js'
import {sessionsApi} from './sessions.js'
import {workspaceApi} from './workspace.js'

export * from './define.js'
export {adminApi, agentApi}

/**
 * Every route of the public port, by resource: `api.instances.get` is GET /v1/instances/:ref. The
 * server registers them from here, /openapi.json describes them, and the CLI's client calls them.
 */
export const api = {
  service: serviceApi,
  oauth: oauthApi,
  me: meApi,
  tokens: tokensApi,
  instances: instancesApi,
  keys: keysApi,
  sessions: sessionsApi,
  workspace: workspaceApi,
  channels: channelsApi,
  account: accountApi,
  logs: logsApi,
} as const

/** The routes of one table as a flat list (registration, the OpenAPI document, tests). */
export function routesOf(table: Record<string, Record<string, RouteSpec>>): RouteSpec[] {
  return Object.values(table).flatMap((group) => Object.values(group))
}
