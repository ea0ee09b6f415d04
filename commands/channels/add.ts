import {Args, Flags} from '@oclif/core'
import {type Channel, channelKindSchema, dmPolicySchema, telegramUserIdSchema} from '../../src/contract/channels.js'
import {baseUrlSchema} from '../../src/contract/keys.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {checkBotToken, sealAndAddTelegram} from '../../src/cli/channels/telegram.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {readSecret} from '../../src/cli/kit/secret-input.js'

export default class ChannelsAdd extends BaseCommand {
  static override summary = 'Reach your agent from Telegram: hand it a bot token, sealed on this machine.'
  static override description =
    'The token is checked with Telegram (getMe), then encrypted here to the instance’s public key (HPKE), like `keys set`; the service never holds it in clear. ' +
    'It is read from a hidden prompt on a terminal, else from stdin, or from the variable named by --from-env — never from a flag value. ' +
    'Unknown senders get a pairing code you approve with `clawd channels pairing approve CODE`.'
  static override examples = [
    '<%= config.bin %> channels add telegram',
    'printf %s "$TELEGRAM_BOT_TOKEN" | <%= config.bin %> channels add telegram',
    '<%= config.bin %> channels add telegram --from-env TELEGRAM_BOT_TOKEN --dm-policy allowlist --allow-from 123456789',
  ]
  static override args = {kind: Args.string({description: 'The channel: telegram.', required: true})}
  static override flags = {
    instance: instanceFlag,
    'from-env': Flags.string({summary: 'Read the bot token from this environment variable (give its NAME).'}),
    'dm-policy': Flags.string({summary: 'Who may talk to the agent in private chats.', options: ['pairing', 'allowlist', 'open'], default: 'pairing'}),
    'allow-from': Flags.string({summary: 'A Telegram user id allowed to talk to the agent (repeatable).', multiple: true, delimiter: ','}),
    'telegram-api-url': Flags.string({summary: 'A self-hosted Bot API server instead of api.telegram.org.', env: 'CLAWD_TELEGRAM_API_URL'}),
    yes: Flags.boolean({char: 'y', summary: 'Confirm --dm-policy open (anyone who finds the bot can use your agent and your quota).', default: false}),
  }

  async run(): Promise<Channel> {
    const {args, flags} = await this.parse(ChannelsAdd)
    if (!channelKindSchema.safeParse(args.kind).success) throw CliError.usage(`"${args.kind}" is not a channel this version knows.`, 'Channels: telegram.')
    const dmPolicy = dmPolicySchema.parse(flags['dm-policy'])
    if (dmPolicy === 'open' && !flags.yes) {
      throw CliError.usage('--dm-policy open lets anyone who finds the bot talk to your agent, on your quota.', 'Pass --yes if you mean it, or use pairing (the default).')
    }
    const allowFrom = flags['allow-from'] ?? []
    const badId = allowFrom.find((id) => !telegramUserIdSchema.safeParse(id).success)
    if (badId !== undefined) throw CliError.usage(`"${badId.slice(0, 30)}" is not a Telegram user id.`, 'Give numeric ids, e.g. --allow-from 123456789.')
    if (dmPolicy === 'allowlist' && allowFrom.length === 0) throw CliError.usage('--dm-policy allowlist needs at least one --allow-from ID.', 'Give the Telegram user ids that may talk to the agent.')
    const apiUrl = flags['telegram-api-url']
    if (apiUrl !== undefined && !baseUrlSchema.safeParse(apiUrl).success) throw CliError.usage('--telegram-api-url is not an http(s) URL without credentials.', 'E.g. --telegram-api-url https://bots.example.com')

    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const instance = await api.instances.get({ref})
    const token = await readSecret(this.io, {fromEnv: flags['from-env'], label: 'Telegram bot token (from @BotFather)', command: 'clawd channels add telegram'})
    const bot = await checkBotToken(token, apiUrl)
    this.out.note(`Token checked: this is @${bot.username}.`)
    const channel = await sealAndAddTelegram(api, {instanceId: instance.id, token, bot, apiUrl, dmPolicy, allowFrom})
    this.out.say(`Telegram bot @${channel.bot_username} now reaches ${instance.name} (DM policy: ${channel.dm_policy}, token fingerprint ${channel.fingerprint}).`)
    if (channel.dm_policy === 'pairing') this.out.say('Message the bot; approve yourself with `clawd channels pairing approve CODE` using the code it sends.')
    return channel
  }
}
