import type {Channel} from '../../src/contract/channels.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {channelsTable} from '../../src/cli/channels/view.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'

export default class ChannelsList extends BaseCommand {
  static override summary = 'List the channels (Telegram bots) that reach an instance.'
  static override flags = {instance: instanceFlag}

  async run(): Promise<{channels: Channel[]}> {
    const {flags} = await this.parse(ChannelsList)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const result = await api.channels.list({ref})
    if (result.channels.length === 0) this.say('No channels. Add one with `clawd channels add telegram`.')
    else this.say(channelsTable(result.channels))
    return result
  }
}
