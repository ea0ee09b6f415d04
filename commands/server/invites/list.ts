import {withAdmin} from '../../../src/cli/server/admin-command.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {table} from '../../../src/cli/kit/table.js'
import {dataDirFlag, serverStartFlags} from '../../../src/cli/server/start-flags.js'

export default class ServerInvitesList extends BaseCommand {
  static override summary = 'List invite codes: plan, uses, expiry and state (never the codes themselves).'
  static override description = 'Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server invites list', '<%= config.bin %> server invites list --json']
  static override flags = {
    'data-dir': dataDirFlag,
    'database-url': serverStartFlags['database-url'],
  }

  async run() {
    const {flags} = await this.parse(ServerInvitesList)
    const result = await withAdmin(this.io, flags, (admin) => admin.listInvites())
    if (result.invites.length === 0) this.note('No invites. Make one with `clawd server invites create`.')
    else {
      this.say(
        table(
          ['ID', 'PLAN', 'USES', 'EXPIRES', 'STATE'],
          result.invites.map((i) => [i.id, i.plan, `${i.uses}/${i.max_uses}`, i.expires_at, i.state]),
        ),
      )
    }
    return result
  }
}
