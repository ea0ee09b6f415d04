import {listSessionsResponseSchema, type Session} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {sessionsPath, sessionsTable} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/flags.js'
import {instancePath, resolveInstanceRef} from '../../src/cli/instances.js'

export default class SessionsList extends BaseCommand {
  static override summary = 'List the conversations with an instance’s agent.'
  static override aliases = ['sessions ls']
  static override flags = {instance: instanceFlag}

  async run(): Promise<{sessions: Session[]}> {
    const {flags} = await this.parse(SessionsList)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    const result = await client.get(sessionsPath(instancePath(ref)), listSessionsResponseSchema)
    if (result.sessions.length === 0) this.say('No sessions yet. Start one with `clawd chat`.')
    else this.say(sessionsTable(result.sessions))
    return result
  }
}
