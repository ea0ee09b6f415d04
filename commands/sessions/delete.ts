import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceYesFlags} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class SessionsDelete extends BaseCommand {
  static override summary = 'Delete a conversation for good.'
  static override description = 'On a terminal you confirm by typing "delete"; scripts pass --yes.'
  static override args = {id: Args.string({description: 'Session id (ses_…).', required: true})}
  static override flags = instanceYesFlags

  async run(): Promise<{id: string; deleted: true}> {
    const {args, flags} = await this.parse(SessionsDelete)
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Deleting a session is permanent and needs confirmation.', 'Pass --yes to delete without a prompt.')
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    if (!flags.yes) await confirmByTyping(this.io, 'delete', `Type "delete" to delete session ${args.id} for good:`)
    const result = await api.sessions.delete({ref, sid: args.id})
    this.out.say(`Deleted session ${result.id}.`)
    return result
  }
}
