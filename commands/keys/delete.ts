import {Args} from '@oclif/core'
import type {z} from 'zod'
import type {deleteKeyResponseSchema} from '../../src/contract/keys.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceYesFlags} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'

export default class KeysDelete extends BaseCommand {
  static override summary = 'Remove a key from an instance and the service, at once.'
  static override args = {name: Args.string({description: 'Key name.', required: true})}
  static override flags = instanceYesFlags

  async run(): Promise<z.infer<typeof deleteKeyResponseSchema>> {
    const {args, flags} = await this.parse(KeysDelete)
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Deleting a key needs confirmation.', 'Pass --yes.')
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    if (!flags.yes) await confirmByTyping(this.io, args.name, `Type the key name (${args.name}) to delete it:`)
    const result = await api.keys.delete({ref, name: args.name})
    this.out.say(`Deleted key "${result.name}".`)
    return result
  }
}
