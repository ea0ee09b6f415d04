import type {PlanAllows} from '../src/contract/plans.js'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import type {CommandContext} from '../src/cli/kit/context.js'
import {describePlan} from '../src/cli/instances/view.js'

export interface WhoamiResult {
  email: string
  user_id: string
  api: string
  /** Where the credential came from: CLAWD_TOKEN, the OS keyring, or the credentials file. */
  source: 'env' | 'keyring' | 'file'
  token_kind: 'at' | 'rt' | 'pat'
  /** When the credential in use expires; null when never. */
  expires_at: string | null
  /** Access tokens from `clawd login` are renewed by the CLI before they expire. */
  refreshes: boolean
  /** The account's plan and what it allows. */
  plan: PlanAllows
}

const SOURCES = {env: 'the CLAWD_TOKEN environment variable', keyring: 'the OS keyring', file: 'the credentials file'}

export default class Whoami extends BaseCommand {
  static override summary = 'Show who you are logged in as, where, with which credential, and what your plan allows.'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json']

  async run(): Promise<WhoamiResult> {
    const {flags} = await this.parse(Whoami)
    return whoami(this.context(flags))
  }
}

/** What the command does, callable without oclif: the account, the API, the credential's source and expiry. */
export async function whoami({out, factory: f}: CommandContext): Promise<WhoamiResult> {
  const api = await f.api()
  const me = await api.me.get()
  const {credential, source} = (await f.session())!.resolved
  const result: WhoamiResult = {
    email: me.email,
    user_id: me.id,
    api: f.apiUrl,
    source,
    token_kind: me.token.kind,
    expires_at: me.token.expires_at,
    refreshes: source !== 'env' && Boolean(credential.refreshToken),
    plan: me.plan_allows,
  }
  const where = source === 'file' ? `${SOURCES.file} (${f.credentials.file.path})` : SOURCES[source]
  const expiry = result.refreshes ? 'renewed automatically' : result.expires_at ? `expires ${result.expires_at}` : 'never expires'
  out.say(`Logged in to ${result.api} as ${result.email} (${result.user_id}).`)
  out.say(`Credential: ${me.token.kind === 'pat' ? 'API token' : 'access token'} from ${where}, ${expiry}.`)
  out.say(`Plan: ${describePlan(result.plan)}.`)
  return result
}
