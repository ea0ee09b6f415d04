import type {RouteResponse} from '../../contract/routes/define.js'
import type {tokensApi} from '../../contract/routes/auth.js'
import {parseDuration} from '../../duration.js'
import type {CommandContext} from '../kit/context.js'
import {CliError} from '../kit/errors.js'

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

/** `clawd tokens create --name N [--expires 90d]`: the token is printed once, alone on stdout. */
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
