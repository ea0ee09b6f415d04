import type {AgentKeyUpload} from '../../contract/agent-keys.js'
import {BASE64URL_PATTERN, KEY_NAME_PATTERN} from '../../contract/core.js'
import {agentEndpoints} from '../../contract/agent-endpoints.js'
import {AgentError, reply, route, type AgentCall} from '../router.js'
import {SealedKeys} from '../sealed-keys.js'

function checkName(name: string | undefined): string {
  if (!name || !KEY_NAME_PATTERN.test(name)) throw AgentError.notFound('key')
  return name
}

/** The shape check the API already did, again at this boundary (the agent does not load zod). */
function checkUpload(body: unknown): AgentKeyUpload {
  const b = body as Partial<AgentKeyUpload> | null
  const ok =
    b &&
    typeof b.provider === 'string' &&
    typeof b.kid === 'string' &&
    [b.enc, b.ct, b.aad].every((v) => typeof v === 'string' && v.length > 0 && v.length < 16_384 && BASE64URL_PATTERN.test(v)) &&
    Number.isSafeInteger(b.version) &&
    (b.version as number) > 0 &&
    (b.base_url === null || typeof b.base_url === 'string')
  if (!ok) throw AgentError.badRequest('The key upload is malformed.')
  return b as AgentKeyUpload
}

const keysOf = (call: AgentCall) => new SealedKeys(call.agent.vault, call.agent.keys)

export const putKeyRoute = route(agentEndpoints.putKey, async (call) => {
  const name = checkName(call.params.name)
  const upload = checkUpload(await call.json(64 * 1024))
  const result = await keysOf(call).put(name, upload)
  if (result === 'does_not_open') throw AgentError.badRequest('The sealed key does not open here.')
  if (result === 'stale') throw AgentError.conflict('This instance holds a newer version of this key.')
  call.agent.log('info', 'key stored', {name, version: upload.version})
  return {name, version: upload.version}
})

export const deleteKeyRoute = route(agentEndpoints.deleteKey, async (call) => {
  const name = checkName(call.params.name)
  if (!(await keysOf(call).delete(name))) return reply(404, {code: 'not_found'})
  call.agent.log('info', 'key deleted', {name})
  return {name, deleted: true}
})

/** Names and versions (never the ciphertext): the API compares them with its records after a restart. */
export const listKeysRoute = route(agentEndpoints.listKeys, async (call) => {
  const keys = keysOf(call)
  const names = await keys.names()
  const versions = await Promise.all(names.map(async (name) => ({name, version: (await keys.get(name))?.version ?? 0})))
  return {names, keys: versions}
})
