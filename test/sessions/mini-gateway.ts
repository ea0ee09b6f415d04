import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startAgent, type RunningAgent} from '../../src/agent/server.js'
import type {Toolbox} from '../../src/agent/tools/types.js'
import {ALLOWED_TOOLS_HEADER, INSTANCE_SECRET_HEADER} from '../../src/contract/agent-header.js'
import type {AgentConfig} from '../../src/contract/agent.js'
import {inProcessInit} from '../helpers/agent.js'

export const GATEWAY_TOKEN = 'test-token-for-the-mini-gateway'
export const INSTANCE = {id: 'ins_tooltesttooltesttool', name: 'tooly'}

export interface MiniGateway {
  url: string
  agent: RunningAgent
  close(): Promise<void>
}

/**
 * A real agent (in this process, with a test Toolbox) behind a stand-in for the API's gateway,
 * on 127.0.0.1: enough of /v1 for `clawd chat` and `clawd sessions show` (the instance, and its
 * session routes passed through with the instance secret and the allowed-tools header). The real
 * gateway, with plans and policy, sets that header itself; here every message gets `allowedTools`.
 */
export async function startMiniGateway(opts: {toolbox: Toolbox; allowedTools: string; config?: Partial<AgentConfig>}): Promise<MiniGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-gw-'))
  const socketPath = join(dir, 'agent.sock')
  const secret = randomBytes(24).toString('base64url')
  const agent = await startAgent(inProcessInit(INSTANCE.id, dir, secret, opts.config), randomBytes(32), {log: () => {}})
  agent.ctx.toolbox = opts.toolbox
  const now = new Date().toISOString()
  const instance = {
    ...INSTANCE,
    state: 'running',
    failure_reason: null,
    model: 'dev/tools',
    created_at: now,
    last_active_at: now,
    pauses_at: null,
    removes_at: now,
    isolation: null,
    // What the plans branch adds to an instance (older CLIs ignore these fields).
    tools: {profile: 'coding', allow: [], deny: [], effective: opts.allowedTools.split(',').filter(Boolean)},
    plan: {name: 'dedicated', messages_per_day: 1000, concurrent_streams: 4, tools: true},
  }
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${GATEWAY_TOKEN}`) return void res.writeHead(401).end()
    const url = req.url ?? ''
    const json = (status: number, body: unknown) => res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body))
    if (req.method === 'GET' && url.split('?')[0] === '/v1/instances') return json(200, {instances: [instance], next_cursor: null})
    if (req.method === 'GET' && (url === `/v1/instances/${INSTANCE.id}` || url === `/v1/instances/${INSTANCE.name}`)) return json(200, instance)
    const prefix = /^\/v1\/instances\/[^/]+(\/sessions.*)$/.exec(url)
    if (!prefix) return json(404, {type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', detail: 'no such route here'})
    const upstream = request(
      {
        socketPath,
        method: req.method,
        path: prefix[1],
        headers: {
          ...(req.headers['content-type'] ? {'content-type': req.headers['content-type']} : {}),
          ...(req.headers['last-event-id'] ? {'last-event-id': req.headers['last-event-id']} : {}),
          [INSTANCE_SECRET_HEADER]: secret,
          [ALLOWED_TOOLS_HEADER]: opts.allowedTools,
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    agent,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await agent.close(100)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
