import {Args} from '@oclif/core'
import {channelKindSchema, type removeChannelResponseSchema} from '../../src/contract/channels.js'
import type {z} from 'zod'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {confirmByTyping} from '../../src/cli/kit/confirm.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceYesFlags} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class ChannelsRemove extends BaseCommand {
  static override summary = 'Disconnect a channel: the webhook is deleted and the sealed token forgotten.'
  static override args = {kind: Args.string({description: 'The channel: telegram.', required: true})}
  static override flags = instanceYesFlags

  async run(): Promise<z.infer<typeof removeChannelResponseSchema>> {
    const {args, flags} = await this.parse(ChannelsRemove)
    const kind = channelKindSchema.safeParse(args.kind)
    if (!kind.success) throw CliError.usage(`"${args.kind}" is not a channel this version knows.`, 'Channels: telegram.')
    if (!flags.yes && !this.io.canPrompt) throw CliError.usage('Removing a channel needs confirmation.', 'Pass --yes.')
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    if (!flags.yes) await confirmByTyping(this.io, kind.data, `Type the channel (${kind.data}) to remove it:`)
    // Telegram is the only kind so far; each kind has its own route.
    const result = await api.channels.removeTelegram({ref})
    this.out.say(`Removed the ${result.kind} channel.`)
    return result
  }
}
