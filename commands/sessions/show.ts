import {Args} from '@oclif/core'
import {type SessionDetail, sessionDetailSchema} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {describeSession, sessionPath} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instancePath, resolveInstanceRef} from '../../src/cli/instances/instances.js'

export default class SessionsShow extends BaseCommand {
  static override summary = 'Show a conversation: each message, and the tokens each answer used.'
  static override args = {id: Args.string({description: 'Session id (ses_…).', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<SessionDetail> {
    const {args, flags} = await this.parse(SessionsShow)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    const session = await client.get(sessionPath(instancePath(ref), args.id), sessionDetailSchema)
    for (const line of describeSession(session)) this.say(line)
    return session
  }
}
