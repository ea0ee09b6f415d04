import {BaseCommand} from '../src/cli/kit/base-command.js'
import {CliError} from '../src/cli/kit/errors.js'
import type {Factory} from '../src/cli/kit/factory.js'

export interface LogoutResult {
  api: string
  /** A stored credential was removed from this machine. */
  removed: boolean
  /** The tokens this login created were revoked on the server. */
  revoked: boolean
  /** Said on stderr: what could not be done, and what that means. */
  warnings: string[]
}

export default class Logout extends BaseCommand {
  static override summary = 'Log out: revoke this login’s tokens on the server and forget them here.'
  static override description = 'Works without the server too: the credential is removed from this machine, with a warning.'
  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --api https://clawd.example.com']

  async run(): Promise<LogoutResult> {
    const {flags} = await this.parse(Logout)
    const result = await logout(this.factory(flags))
    for (const line of result.warnings) this.out.note(`Warning: ${line}`)
    if (result.removed) this.out.note(`Logged out of ${result.api}.`)
    else this.out.note(`Not logged in to ${result.api}; nothing to do.`)
    return result
  }
}

/**
 * What the command does, callable without oclif. Revokes the tokens a device login created
 * (refresh token first, so the family dies, then the access token), then forgets the credential
 * locally. A token given with `--with-token` is only
 * forgotten: it may be shared with CI, and revoking it is `clawd tokens revoke`'s job. When the
 * server cannot be reached the local copy is still removed, with a warning.
 */
export async function logout(f: Factory): Promise<LogoutResult> {
  const api = f.apiUrl
  const warnings: string[] = []
  if (f.env.CLAWD_TOKEN) warnings.push('CLAWD_TOKEN is set in the environment; unset it too, or commands keep using it.')
  const stored = await f.credentials.get(api)
  if (!stored) return {api, removed: false, revoked: false, warnings}
  const {credential} = stored
  let revoked = false
  if (credential.refreshToken) {
    try {
      const oauth = await f.oauth(api)
      await oauth.revoke(credential.refreshToken, 'refresh_token')
      await oauth.revoke(credential.accessToken, 'access_token')
      revoked = true
    } catch (error) {
      const why = error instanceof CliError ? error.message : 'the request failed'
      warnings.push(`Could not revoke the tokens on the server (${why}); they were removed from this machine and stop working when they expire.`)
    }
  } else {
    warnings.push('The API token itself stays valid; revoke it with `clawd tokens revoke ID` if it should stop working.')
  }
  const removed = await f.credentials.delete(api)
  return {api, removed, revoked, warnings}
}
