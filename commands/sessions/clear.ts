import {Flags} from '@oclif/core'
import {instanceSchema} from '../../src/contract/instances.js'
import {clearSessionsResponseSchema} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {sessionsPath} from '../../src/cli/chat/sessions-view.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instancePath, resolveInstanceRef} from '../../src/cli/instances/instances.js'

export default class SessionsClear extends BaseCommand {
  static override summary = 'Delete every conversation with an instance’s agent.'
  static override description = 'Permanent. On a terminal you type the instance name to confirm; scripts pass --yes.'
  static override flags = {
    instance: instanceFlag,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false}),
  }

  async run(): Promise<{deleted: number}> {
    const {flags} = await this.parse(SessionsClear)
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Deleting every session is permanent and needs confirmation.', 'Pass --yes to delete without a prompt.')
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    const instance = await client.get(instancePath(ref), instanceSchema)
    if (!flags.yes) await confirmByTyping(this.io, instance.name, `Type the instance name (${instance.name}) to delete all of its sessions:`)
    const result = await client.request('DELETE', sessionsPath(instancePath(instance.id)), {schema: clearSessionsResponseSchema})
    this.say(`Deleted ${result.deleted} session${result.deleted === 1 ? '' : 's'} of ${instance.name}.`)
    return result
  }
}
