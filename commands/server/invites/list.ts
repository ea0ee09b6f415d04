import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {sayList} from '../../../src/cli/kit/table.js'

export default class ServerInvitesList extends AdminCommand {
  static override summary = 'List invite codes: plan, uses, expiry and state (never the codes themselves).'
  static override description = 'Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server invites list', '<%= config.bin %> server invites list --json']

  async run() {
    const {flags} = await this.parse(ServerInvitesList)
    const result = await this.admin(flags, (admin) => admin.listInvites())
    sayList(this.out, result.invites, {
      empty: 'No invites. Make one with `clawd server invites create`.',
      emptyIsNote: true,
      headers: ['ID', 'PLAN', 'USES', 'EXPIRES', 'STATE'],
      row: (i) => [i.id, i.plan, `${i.uses}/${i.max_uses}`, i.expires_at, i.state],
    })
    return result
  }
}
