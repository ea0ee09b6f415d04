import {createHash} from 'node:crypto'
import type {AccountExport} from '../contract/account.js'
import type {WorkspaceRejection} from '../contract/workspace.js'
import {comparePaths} from './files.js'
import type {TarFile} from './tar.js'
import {validateWorkspace} from './validate.js'

/**
 * `clawd export --all`: everything the service holds on the account, as a deterministic tar.
 *
 *   manifest.json                          what is where, counts, sha256 of every other file
 *   account.json                           the account
 *   tokens.json                            every token's metadata (never a token or its hash)
 *   web-sessions.json, device-logins.json  browser sign-ins and device logins
 *   access-log.jsonl                       the access log, one entry per line, oldest first
 *   usage.json                             messages sent per day (the daily quota's count)
 *   instances/NAME/instance.json           the instance's metadata
 *   instances/NAME/keys.json               BYOK key metadata (never a ciphertext)
 *   instances/NAME/channels.json           channels (Telegram bots), when there are any (never a token)
 *   instances/NAME/workspace/...           the markdown workspace, as stored (OpenClaw layout)
 *   instances/NAME/sessions.json           the sessions: titles, models, usage
 *   instances/NAME/sessions/ID.jsonl       one transcript per session, one message per line
 *
 * The server assembles the data (src/server/account/export.ts); this lays it out, for the CLI
 * (`clawd export --all`) and the console's download alike. The same account state gives the same bytes: no clock, user or machine in the
 * archive, files sorted, JSON with a fixed key order.
 */

export const EXPORT_MANIFEST_VERSION = 1

const json = (value: unknown) => Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8')
const jsonl = (values: readonly unknown[]) => Buffer.from(values.map((v) => JSON.stringify(v) + '\n').join(''), 'utf8')
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

export interface ExportManifest {
  format: 'clawd-account-export'
  version: typeof EXPORT_MANIFEST_VERSION
  /** The version of the API's export document this was made from. */
  source_version: number
  account: {id: string; email: string}
  excluded: string[]
  counts: {tokens: number; web_sessions: number; device_logins: number; access_log_entries: number; usage_days: number; instances: number}
  instances: Array<{
    id: string
    name: string
    dir: string
    keys: number
    workspace_files: number | null
    sessions: number | null
    messages: number | null
    unavailable: string | null
  }>
  files: Array<{path: string; bytes: number; sha256: string}>
}

/** What the archive never holds, stated in the manifest so a reader need not guess. */
const EXCLUDED = [
  'API, access and refresh tokens, and their hashes',
  'BYOK key ciphertexts and key material',
  'instance data keys and private keys',
  'the account password hash',
]

/** The export document as the archive's files, manifest first computed over all the others. */
export function layoutAccountExport(doc: AccountExport): {files: TarFile[]; manifest: ExportManifest} {
  const files: TarFile[] = [
    {path: 'account.json', data: json(doc.account)},
    {path: 'tokens.json', data: json(doc.tokens)},
    {path: 'web-sessions.json', data: json(doc.web_sessions)},
    {path: 'device-logins.json', data: json(doc.device_logins)},
    {path: 'access-log.jsonl', data: jsonl(doc.access_log)},
    {path: 'usage.json', data: json(doc.daily_usage)},
  ]
  const instances: ExportManifest['instances'] = []
  for (const item of [...doc.instances].sort((a, b) => comparePaths(a.instance.name, b.instance.name))) {
    const dir = `instances/${item.instance.name}`
    files.push({path: `${dir}/instance.json`, data: json({...item.instance, unavailable: item.unavailable})})
    files.push({path: `${dir}/keys.json`, data: json(item.keys)})
    if (item.channels.length > 0) files.push({path: `${dir}/channels.json`, data: json(item.channels)})
    if (item.workspace) {
      // The same secret scan as `clawd export`: an archive that leaves this machine carries no key.
      const check = validateWorkspace(item.workspace)
      const secrets = check.rejected.filter((r) => r.code === 'secret')
      if (secrets.length > 0) {
        throw new AccountArchiveSecretError(item.instance.name, secrets)
      }
      for (const f of item.workspace) files.push({path: `${dir}/workspace/${f.path}`, data: Buffer.from(f.content, 'utf8')})
    }
    if (item.sessions) {
      files.push({path: `${dir}/sessions.json`, data: json(item.sessions.map(({messages: _messages, ...session}) => session))})
      for (const s of item.sessions) files.push({path: `${dir}/sessions/${s.id}.jsonl`, data: jsonl(s.messages)})
    }
    instances.push({
      id: item.instance.id,
      name: item.instance.name,
      dir,
      keys: item.keys.length,
      workspace_files: item.workspace?.length ?? null,
      sessions: item.sessions?.length ?? null,
      messages: item.sessions ? item.sessions.reduce((n, s) => n + s.messages.length, 0) : null,
      unavailable: item.unavailable,
    })
  }
  const listed = [...files].sort((a, b) => comparePaths(a.path, b.path))
  const manifest: ExportManifest = {
    format: 'clawd-account-export',
    version: EXPORT_MANIFEST_VERSION,
    source_version: doc.version,
    account: {id: doc.account.id, email: doc.account.email},
    excluded: EXCLUDED,
    counts: {
      tokens: doc.tokens.length,
      web_sessions: doc.web_sessions.length,
      device_logins: doc.device_logins.length,
      access_log_entries: doc.access_log.length,
      usage_days: doc.daily_usage.length,
      instances: doc.instances.length,
    },
    instances,
    files: listed.map((f) => ({path: f.path, bytes: f.data.length, sha256: sha256(f.data)})),
  }
  return {files: [{path: 'manifest.json', data: json(manifest)}, ...files], manifest}
}

/** An instance's workspace holds what looks like a secret: the archive is refused, naming where. */
export class AccountArchiveSecretError extends Error {
  constructor(
    readonly instanceName: string,
    readonly rejected: readonly WorkspaceRejection[],
  ) {
    super(`The export was refused; instance ${instanceName} holds what looks like a secret:\n${rejected.map((r) => `  ${r.message}`).join('\n')}`)
  }
}
