import {BaseCommand} from '../src/cli/kit/base-command.js'
import {whoami, type WhoamiResult} from '../src/cli/account/whoami.js'

export default class Whoami extends BaseCommand {
  static override summary = 'Show who you are logged in as, where, with which credential, and what your plan allows.'
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami --json']

  async run(): Promise<WhoamiResult> {
    const {flags} = await this.parse(Whoami)
    return whoami(this.context(flags))
  }
}
