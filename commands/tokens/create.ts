import {Flags} from '@oclif/core'
import type {tokensApi} from '../../src/contract/routes/auth.js'
import type {RouteResponse} from '../../src/contract/routes/define.js'
import {parseDuration} from '../../src/duration.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import type {CommandContext} from '../../src/cli/kit/context.js'
import {CliError} from '../../src/cli/kit/errors.js'

export default class TokensCreate extends BaseCommand {
  static override summary = 'Create a long-lived API token for CI. It is shown once.'
  static override description = 'Use it as CLAWD_TOKEN, or store it with `clawd login --with-token`.'
  static override examples = ['<%= config.bin %> tokens create --name ci', '<%= config.bin %> tokens create --name deploy --expires 30d --json']
  static override flags = {
    name: Flags.string({summary: 'A name to recognise the token by.', required: true}),
    expires: Flags.string({summary: 'Lifetime in days (e.g. 90d), or "never".', default: '90d'}),
  }

  async run() {
    const {flags} = await this.parse(TokensCreate)
    return createToken(this.context(flags), flags)
  }
}

const DAY_MS = 86_400_000

/** `--expires 90d` as whole days; `never` for a token without expiry. */
export function expiresInDays(text: string): number | undefined {
  if (text === 'never') return undefined
  let ms: number
  try {
    ms = parseDuration(text)
  } catch {
    throw CliError.usage(`--expires "${text}" is not a duration.`, 'Use whole days, e.g. --expires 30d, or --expires never.')
  }
  if (ms < DAY_MS || ms % DAY_MS !== 0) throw CliError.usage(`--expires ${text} is not a whole number of days.`, 'Use whole days, e.g. --expires 30d, or --expires never.')
  return ms / DAY_MS
}

/** What the command does, callable without oclif: the token is printed once, alone on stdout. */
export async function createToken({out, factory}: CommandContext, opts: {name: string; expires: string}): Promise<RouteResponse<typeof tokensApi.create>> {
  const days = expiresInDays(opts.expires)
  const api = await factory.api()
  const created = await api.tokens.create({body: {name: opts.name, ...(days ? {expires_in_days: days} : {})}})
  if (!out.json) {
    out.note(`Created token "${created.name}" (${created.id}), ${created.expires_at ? `expires ${created.expires_at}` : 'never expires'}.`)
    out.note('Copy it now: it is not shown again.')
    out.say(created.token)
  }
  return created
}
