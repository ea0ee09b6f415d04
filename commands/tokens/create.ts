import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {createToken} from '../../src/cli/tokens/create.js'

export default class TokensCreate extends BaseCommand {
  static override summary = 'Create a long-lived API token for CI. It is shown once.'
  static override description = 'Use it as CLAWD_TOKEN, or store it with `clawd login --with-token`.'
  static override examples = ['<%= config.bin %> tokens create --name ci', '<%= config.bin %> tokens create --name deploy --expires 30d --json']
  static override flags = {
    name: Flags.string({summary: 'A name to recognise the token by.', required: true}),
    expires: Flags.string({summary: 'Lifetime in days (e.g. 90d), or "never".', default: '90d'}),
  }

  async run() {
    const {flags} = await this.parse(TokensCreate)
    return createToken(this.context(flags), flags)
  }
}
