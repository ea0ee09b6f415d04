import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {withAdmin} from '../../../src/cli/server/admin-command.js'
import {incidentLines} from '../../../src/cli/server/status-view.js'
import {dataDirFlag, serverStartFlags} from '../../../src/cli/server/start-flags.js'

export default class ServerIncidentResolve extends BaseCommand {
  static override summary = 'Resolve an open incident.'
  static override examples = ['<%= config.bin %> server incident resolve inc_abcdefghijklmnopqrst --message "All clear."']
  static override args = {id: Args.string({description: 'The incident id (see `clawd status`).', required: true})}
  static override flags = {
    message: Flags.string({summary: 'The closing update (default: "Resolved.").'}),
    'data-dir': dataDirFlag,
    'database-url': serverStartFlags['database-url'],
  }

  async run() {
    const {args, flags} = await this.parse(ServerIncidentResolve)
    const incident = await withAdmin(this.io, flags, (admin) => admin.resolveIncident({id: args.id, body: {message: flags.message}}))
    for (const line of incidentLines(incident)) this.say(line)
    return incident
  }
}
