import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {pageFlags} from '../../src/cli/kit/pages.js'
import {listTokens} from '../../src/cli/tokens/list.js'

export default class TokensList extends BaseCommand {
  static override summary = 'List your API tokens (never their values).'
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --json']

  static override flags = {...pageFlags}

  async run() {
    const {flags} = await this.parse(TokensList)
    return listTokens(this.context(flags), flags)
  }
}
