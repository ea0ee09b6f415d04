import {Args, Flags} from '@oclif/core'
import {keyNameSchema, keyNeedsBaseUrl, type PutKeyResponse} from '../../src/contract/keys.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {sealAndUpload} from '../../src/cli/keys/byok.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {keyEnvVar, readSecret} from '../../src/cli/kit/secret-input.js'

export default class KeysSet extends BaseCommand {
  static override summary = 'Hand your own model key to an instance, sealed on this machine.'
  static override description =
    'The key is encrypted here to the instance’s public key (HPKE); the service stores and forwards only ciphertext. ' +
    'It is read from a hidden prompt on a terminal, else from stdin, or from the variable named by --from-env — never from a flag value.'
  static override examples = [
    '<%= config.bin %> keys set anthropic',
    'printf %s "$ANTHROPIC_API_KEY" | <%= config.bin %> keys set anthropic',
    '<%= config.bin %> keys set openai --from-env OPENAI_API_KEY',
    '<%= config.bin %> keys set openrouter --base-url https://openrouter.ai/api/v1',
  ]
  static override args = {provider: Args.string({description: 'anthropic, openai, openai-compatible, dev, or a custom name', required: true})}
  static override flags = {
    instance: instanceFlag,
    'from-env': Flags.string({summary: 'Read the key from this environment variable (give its NAME).'}),
    'base-url': Flags.string({summary: 'Endpoint for openai-compatible and custom providers.'}),
  }

  async run(): Promise<PutKeyResponse> {
    const {args, flags} = await this.parse(KeysSet)
    const name = keyNameSchema.safeParse(args.provider)
    if (!name.success) throw CliError.usage(`"${args.provider}" is not a valid key name: ${name.error.issues[0]?.message}.`)
    if (keyNeedsBaseUrl(name.data) && !flags['base-url']) {
      throw CliError.usage(`"${name.data}" speaks the OpenAI-compatible protocol and needs an endpoint.`, 'Pass --base-url URL.')
    }
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const instance = await api.instances.get({ref})
    const key = await readSecret(this.io, {fromEnv: flags['from-env'], label: `API key for ${name.data}`, command: `clawd keys set ${name.data}`, envVar: keyEnvVar(name.data)})
    const saved = await sealAndUpload(api, {instanceId: instance.id, name: name.data, key, baseUrl: flags['base-url']})
    this.out.say(`Key "${saved.name}" (fingerprint ${saved.fingerprint}, version ${saved.version}) sealed to ${instance.name}.`)
    if (saved.egress_refused) {
      // Said at once: every chat with this key would fail until the server's operator allows the host.
      this.out.note(`Warning: the server's egress policy refuses ${saved.egress_refused}, so chats with "${saved.name}" will fail until it is allowed.`)
      this.out.note(`Hint: the server's operator allows it with \`clawd server start --egress-allow ${saved.egress_refused}\`.`)
    }
    return saved
  }
}
