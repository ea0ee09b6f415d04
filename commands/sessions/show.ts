import {Args} from '@oclif/core'
import type {SessionDetail} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {describeSession} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class SessionsShow extends BaseCommand {
  static override summary = 'Show a conversation: each message, and the tokens each answer used.'
  static override args = {id: Args.string({description: 'Session id (ses_…).', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<SessionDetail> {
    const {args, flags} = await this.parse(SessionsShow)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const session = await api.sessions.get({ref, sid: args.id})
    for (const line of describeSession(session)) this.out.say(line)
    return session
  }
}
