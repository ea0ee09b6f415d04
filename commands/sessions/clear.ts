import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceYesFlags} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class SessionsClear extends BaseCommand {
  static override summary = 'Delete every conversation with an instance’s agent.'
  static override description = 'Permanent. On a terminal you type the instance name to confirm; scripts pass --yes.'
  static override flags = instanceYesFlags

  async run(): Promise<{deleted: number}> {
    const {flags} = await this.parse(SessionsClear)
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Deleting every session is permanent and needs confirmation.', 'Pass --yes to delete without a prompt.')
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const instance = await api.instances.get({ref})
    if (!flags.yes) await confirmByTyping(this.io, instance.name, `Type the instance name (${instance.name}) to delete all of its sessions:`)
    const result = await api.sessions.clear({ref: instance.id})
    this.out.say(`Deleted ${result.deleted} session${result.deleted === 1 ? '' : 's'} of ${instance.name}.`)
    return result
  }
}
