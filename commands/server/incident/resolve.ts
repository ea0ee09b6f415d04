import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {incidentLines} from '../../../src/cli/server/status-view.js'

export default class ServerIncidentResolve extends AdminCommand {
  static override summary = 'Resolve an open incident.'
  static override examples = ['<%= config.bin %> server incident resolve inc_abcdefghijklmnopqrst --message "All clear."']
  static override args = {id: Args.string({description: 'The incident id (see `clawd status`).', required: true})}
  static override flags = {
    message: Flags.string({summary: 'The closing update (default: "Resolved.").'}),
  }

  async run() {
    const {args, flags} = await this.parse(ServerIncidentResolve)
    const incident = await this.admin(flags, (admin) => admin.resolveIncident({id: args.id, body: {message: flags.message}}))
    for (const line of incidentLines(incident)) this.out.say(line)
    return incident
  }
}
