import type {AgentKeyUpload} from '../../contract/agent-keys.js'
import {agentApi} from '../../contract/routes/index.js'
import {encodeByokAad} from '../../crypto/byok-aad.js'
import type {ServerCore} from '../core.js'
import type {AgentClients, AgentRoute} from '../../runtime/agent-client.js'
import {sealedKeys} from './repo.js'


/**
 * Makes the keys an instance holds exactly the keys the database records, with the same versions.
 *
 * `keys set` stores in the instance first and records in the database second, and `keys delete`
 * removes from the instance first: a server killed in between leaves the two apart (a key the
 * instance would use but `keys list` does not show, or the reverse). On every restart of the
 * agent the database wins, since it is what the user was told: an unrecorded key is removed, a
 * recorded one is put back from its stored ciphertext (the instance checks it opens, as always).
 * Returns what it changed, for the log.
 */
export async function syncKeys(ctx: ServerCore, agents: AgentClients, target: AgentRoute, userId: string, instanceId: string): Promise<string[]> {
  const changed: string[] = []
  try {
    const held = await agents.call(target, agentApi.listKeys)
    if (!held.ok) throw new Error(`the agent answered ${held.status} for its keys`)
    const recorded = await ctx.db.asUser(userId, (q) => sealedKeys(q, instanceId))
    const want = new Map(recorded.map((k) => [k.name, k]))
    for (const {name, version} of held.body.keys) {
      const record = want.get(name)
      if (record?.version === version) {
        want.delete(name)
        continue
      }
      // Not recorded, or another version: the instance's copy goes (put back below if recorded).
      const gone = await agents.call(target, agentApi.deleteKey, {params: {name}})
      if (gone.status !== 200 && gone.status !== 404) throw new Error(`the agent answered ${gone.status} when removing a key`)
      changed.push(record ? `${name}: v${version} → v${record.version}` : `${name}: v${version} removed`)
    }
    for (const record of want.values()) {
      const upload: AgentKeyUpload = {
        provider: record.provider,
        kid: record.kid,
        enc: record.enc,
        ct: record.ct,
        aad: Buffer.from(
          encodeByokAad({userId: record.user_id, instanceId, keyName: record.name, baseUrl: record.base_url ?? '', version: record.version}),
        ).toString('base64url'),
        version: record.version,
        base_url: record.base_url,
      }
      const put = await agents.call(target, agentApi.putKey, {params: {name: record.name}, body: upload})
      if (put.status !== 200) throw new Error(`the agent answered ${put.status} when restoring a key`)
      if (!changed.some((c) => c.startsWith(`${record.name}:`))) changed.push(`${record.name}: v${record.version} restored`)
    }
    if (changed.length) ctx.log.warn({instance: instanceId, keys: changed}, 'keys brought in line with the database after a restart')
  } catch (error) {
    // A key left apart is wrong, but an instance that will not start is worse: say it and go on.
    ctx.log.error({instance: instanceId, err: {message: (error as Error).message}}, 'could not check the instance keys against the database')
  }
  return changed
}
