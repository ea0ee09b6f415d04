import {Flags} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {incidentLines} from '../../../src/cli/server/status-view.js'
import {INCIDENT_IMPACTS, OPEN_INCIDENT_STATES} from '../../../src/contract/status.js'

export default class ServerIncidentCreate extends AdminCommand {
  static override summary = 'Open an incident on the service status (`clawd status`, GET /v1/status).'
  static override description =
    'While an incident is open, commands that fail on a server error mention it. Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server incident create --title "Chat answers fail" --impact major --message "Looking into it."']
  static override flags = {
    title: Flags.string({summary: 'What users notice, in a few words.', required: true}),
    impact: Flags.string({summary: 'How bad it is.', options: [...INCIDENT_IMPACTS], required: true}),
    message: Flags.string({summary: 'The first update (default: the title).'}),
    status: Flags.string({summary: 'Where the work stands.', options: [...OPEN_INCIDENT_STATES], default: 'investigating'}),
  }

  async run() {
    const {flags} = await this.parse(ServerIncidentCreate)
    const incident = await this.admin(flags, (admin) =>
      admin.createIncident({
        body: {
          title: flags.title,
          impact: flags.impact as (typeof INCIDENT_IMPACTS)[number],
          message: flags.message,
          status: flags.status as (typeof OPEN_INCIDENT_STATES)[number],
        },
      }),
    )
    this.out.say(`Opened incident ${incident.id}.`)
    for (const line of incidentLines(incident)) this.out.say(line)
    return incident
  }
}
