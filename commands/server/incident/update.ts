import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {incidentLines} from '../../../src/cli/server/status-view.js'
import {OPEN_INCIDENT_STATES} from '../../../src/contract/status.js'

export default class ServerIncidentUpdate extends AdminCommand {
  static override summary = 'Post an update to an open incident.'
  static override examples = ['<%= config.bin %> server incident update inc_abcdefghijklmnopqrst --message "Fix deployed." --status monitoring']
  static override args = {id: Args.string({description: 'The incident id (see `clawd status`).', required: true})}
  static override flags = {
    message: Flags.string({summary: 'What changed.', required: true}),
    status: Flags.string({summary: 'Where the work stands now (default: unchanged).', options: [...OPEN_INCIDENT_STATES]}),
  }

  async run() {
    const {args, flags} = await this.parse(ServerIncidentUpdate)
    const incident = await this.admin(flags, (admin) =>
      admin.updateIncident({id: args.id, body: {message: flags.message, status: flags.status as (typeof OPEN_INCIDENT_STATES)[number] | undefined}}),
    )
    for (const line of incidentLines(incident)) this.out.say(line)
    return incident
  }
}
