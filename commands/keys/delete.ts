import {Args, Flags} from '@oclif/core'
import {z} from 'zod'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instancePath, resolveInstanceRef} from '../../src/cli/instances/instances.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'

const deletedSchema = z.object({name: z.string(), deleted: z.literal(true)})

export default class KeysDelete extends BaseCommand {
  static override summary = 'Remove a key from an instance and the service, at once.'
  static override args = {name: Args.string({description: 'Key name.', required: true})}
  static override flags = {
    instance: instanceFlag,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false}),
  }

  async run(): Promise<z.infer<typeof deletedSchema>> {
    const {args, flags} = await this.parse(KeysDelete)
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Deleting a key needs confirmation.', 'Pass --yes.')
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    if (!flags.yes) await confirmByTyping(this.io, args.name, `Type the key name (${args.name}) to delete it:`)
    const result = await client.request('DELETE', `${instancePath(ref)}/keys/${encodeURIComponent(args.name)}`, {schema: deletedSchema})
    this.say(`Deleted key "${result.name}".`)
    return result
  }
}
