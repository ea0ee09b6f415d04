import {BaseCommand} from '../src/cli/kit/base-command.js'
import {statusLines} from '../src/cli/server/status-view.js'

export default class Status extends BaseCommand {
  static override summary = 'Show the service status: its components and the incident timeline.'
  static override description = 'Needs no login. Exits 0 whatever the status; scripts read `status` from --json.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  async run() {
    const {flags} = await this.parse(Status)
    const factory = this.factory(flags)
    const status = await (await factory.apiWith()).service.status()
    for (const line of statusLines(status, factory.apiUrl)) this.out.say(line)
    return status
  }
}
