import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {yesFlag} from '../../src/cli/kit/flags.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'

export default class InstanceDelete extends BaseCommand {
  static override summary = 'Delete an instance for good: its files, sessions, keys and data key.'
  static override description =
    'Permanent. On a terminal you type the name to confirm; scripts pass --yes. The data key is destroyed, so any copy of the instance’s encrypted files becomes unreadable.'
  static override args = {instance: Args.string({description: 'Instance id or name.', required: true})}
  static override flags = {yes: yesFlag}

  async run(): Promise<{id: string; name: string; deleted: true}> {
    const {args, flags} = await this.parse(InstanceDelete)
    if (!flags.yes && !this.io.canPrompt) {
      throw CliError.usage('Deleting an instance is permanent and needs confirmation.', 'Pass --yes to delete without a prompt.')
    }
    const api = await this.factory(flags).api()
    const instance = await api.instances.get({ref: args.instance})
    if (!flags.yes) await confirmByTyping(this.io, instance.name, `Type the instance name (${instance.name}) to delete it for good:`)
    const result = await api.instances.delete({ref: instance.id})
    this.out.say(`Deleted ${result.name} (${result.id}).`)
    return result
  }
}
