import {BaseCommand} from '../src/cli/kit/base-command.js'
import {logout, type LogoutResult} from '../src/cli/login/logout.js'

export default class Logout extends BaseCommand {
  static override summary = 'Log out: revoke this login’s tokens on the server and forget them here.'
  static override description = 'Works without the server too: the credential is removed from this machine, with a warning.'
  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --api https://clawd.example.com']

  async run(): Promise<LogoutResult> {
    const {flags} = await this.parse(Logout)
    const result = await logout(this.factory(flags))
    for (const line of result.warnings) this.note(`Warning: ${line}`)
    if (result.removed) this.note(`Logged out of ${result.api}.`)
    else this.note(`Not logged in to ${result.api}; nothing to do.`)
    return result
  }
}
