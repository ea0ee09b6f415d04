import {Flags} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {CliError} from '../../../src/cli/kit/errors.js'
import {parseDuration} from '../../../src/duration.js'
import {PLAN_NAMES, type PlanName} from '../../../src/contract/plans.js'

export default class ServerInvitesCreate extends AdminCommand {
  static override summary = 'Make an invite code that signs a new account up into a plan (default: dedicated).'
  static override description =
    'The person enters the code on the sign-up page. The code is printed once: the server keeps only its HMAC. ' +
    'Works whether or not the server runs.'
  static override examples = [
    '<%= config.bin %> server invites create',
    '<%= config.bin %> server invites create --plan dedicated --uses 5 --expires 30d',
    '<%= config.bin %> server invites create --json',
  ]
  static override flags = {
    plan: Flags.string({summary: 'The plan the code signs up into.', options: [...PLAN_NAMES], default: 'dedicated'}),
    uses: Flags.integer({summary: 'How many accounts the code can create.', default: 1, min: 1, max: 10_000}),
    expires: Flags.string({summary: 'How long the code is valid (e.g. 7d, 12h).', default: '7d'}),
  }

  async run() {
    const {flags} = await this.parse(ServerInvitesCreate)
    const expiresInSec = inviteLifetimeSec(flags.expires)
    const invite = await this.admin(flags, (admin) =>
      admin.createInvite({body: {plan: flags.plan as PlanName, uses: flags.uses, expires_in_sec: expiresInSec}}),
    )
    if (!this.jsonEnabled()) {
      const uses = invite.max_uses === 1 ? 'one sign-up' : `${invite.max_uses} sign-ups`
      this.out.note(`Created invite ${invite.id}: ${invite.plan} plan, ${uses}, expires ${invite.expires_at}.`)
      this.out.note('Copy it now: it is not shown again. It is entered on the sign-up page.')
      this.out.say(invite.code)
    }
    return invite
  }
}

const MIN_SEC = 60
const MAX_SEC = 365 * 24 * 3600

/** `--expires 7d` in whole seconds, between a minute and a year. */
export function inviteLifetimeSec(text: string): number {
  let ms: number
  try {
    ms = parseDuration(text)
  } catch {
    throw CliError.usage(`--expires "${text}" is not a duration.`, 'Use e.g. --expires 7d, 12h or 30m.')
  }
  const sec = Math.floor(ms / 1000)
  if (sec < MIN_SEC || sec > MAX_SEC) throw CliError.usage(`--expires ${text} is out of range.`, 'An invite lives between 1m and 365d.')
  return sec
}
