import {Flags} from '@oclif/core'
import type {DeviceAuthorizationResponse} from '../src/contract/auth.js'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import {CliError} from '../src/cli/kit/errors.js'
import {ExitCode} from '../src/cli/kit/exit-codes.js'
import type {Factory} from '../src/cli/kit/factory.js'
import {readAll} from '../src/cli/kit/io.js'
import {type LoginResult, loginWithDeviceCode, loginWithToken} from '../src/cli/login/login.js'
import {openBrowser, shouldOpenBrowser} from '../src/cli/login/open-browser.js'
import {createSpinner} from '../src/cli/kit/spinner.js'
import {styles} from '../src/cli/kit/style.js'

export default class Login extends BaseCommand {
  static override summary = 'Log in to a clawd API.'
  static override description =
    'Uses the OAuth device flow: prints a one-time code and a URL, opens the browser when you are at this ' +
    'machine (not over SSH or in CI), and waits until you approve. In CI, pipe a token with --with-token ' +
    'or set CLAWD_TOKEN instead.'
  static override examples = [
    '<%= config.bin %> login',
    '<%= config.bin %> login --api https://clawd.example.com --no-browser',
    'echo "$CLAWD_PAT" | <%= config.bin %> login --with-token',
  ]
  static override flags = {
    'no-browser': Flags.boolean({summary: 'Do not open a browser; just print the URL.', env: 'CLAWD_NO_BROWSER'}),
    'with-token': Flags.boolean({summary: 'Read an API token from standard input instead of the device flow.'}),
  }

  async run(): Promise<LoginResult> {
    const {flags} = await this.parse(Login)
    const f = this.factory(flags)
    if (f.env.CLAWD_TOKEN) this.out.note('Note: CLAWD_TOKEN is set, and commands use it instead of this login until you unset it.')
    await this.confirmReplacing(f)
    let result: LoginResult
    if (flags['with-token']) {
      if (this.io.stdin.isTTY) this.out.note('Paste the token, then press Enter and Ctrl-D:')
      result = await loginWithToken(f, await readAll(this.io.stdin))
    } else {
      result = await this.deviceFlow(f, !flags['no-browser'])
    }
    const {out} = styles(this.io)
    this.out.say(`${out.green('✓')} Logged in to ${result.api} as ${result.email}.`)
    return result
  }

  /**
   * Already logged in to this API: say who, and on a terminal ask before replacing it (No by
   * default, as gh does). Without a terminal it goes ahead, saying whose login it replaces: a
   * script that runs `clawd login --with-token` means it (rotating a CI token is exactly that), and
   * a flag it must learn first would only break it.
   */
  private async confirmReplacing(f: Factory): Promise<void> {
    const current = await f.credentials.get(f.apiUrl).catch(() => undefined)
    if (!current) return
    const who = current.credential.email ?? 'an account'
    this.out.note(`You are logged in to ${f.apiUrl} as ${who}.`)
    if (!this.io.canPrompt) {
      this.out.note('Logging in again replaces that login.')
      return
    }
    const {confirm} = await import('@inquirer/prompts')
    const again = await confirm({message: 'Log in again, replacing that login?', default: false}, {input: this.io.stdin, output: this.io.stderr})
    if (!again) throw new CliError({code: 'cancelled', message: `Kept the login of ${who}.`, hint: 'Run `clawd logout` first, or answer yes, to log in as someone else.', exitCode: ExitCode.usage})
  }

  private async deviceFlow(f: Factory, browserAllowed: boolean): Promise<LoginResult> {
    const {err} = styles(this.io)
    const spinner = await createSpinner(this.io, 'Waiting for approval…')
    const aborted = new AbortController()
    const onSigint = () => aborted.abort()
    // `on`, not `once`: a once-listener is gone by the time ora's signal-exit hook counts listeners,
    // and it would then kill the process instead of letting us report the interruption.
    process.on('SIGINT', onSigint)
    try {
      return await loginWithDeviceCode(f, {
        signal: aborted.signal,
        onCode: async (auth: DeviceAuthorizationResponse) => {
          const expiresIn = auth.expires_in < 90 ? `${auth.expires_in} s` : `${Math.round(auth.expires_in / 60)} min`
          this.out.note(`${err.yellow('!')} Your one-time code: ${err.bold(auth.user_code)}`)
          this.out.note(`  Approve this login at ${auth.verification_uri_complete}`)
          this.out.note(`  (or open ${auth.verification_uri} and enter the code). It expires in ${expiresIn}.`)
          let opened = false
          if (browserAllowed && shouldOpenBrowser(this.io)) {
            opened = await openBrowser(auth.verification_uri_complete, this.io.env)
            if (opened) this.out.note('  Opened it in your browser.')
          }
          // Over SSH or with --no-browser nothing opened here: the person approves on another device.
          const waiting = opened ? 'Waiting for approval in the browser…' : 'Waiting for approval (open the link above on any device with a browser)…'
          spinner.text = waiting
          if (this.io.interactiveStderr) spinner.start()
          else this.out.note(waiting)
        },
        onSlowDown: (ms) => {
          spinner.text = `Waiting for approval (the server asked to poll every ${ms / 1000} s)…`
        },
      })
    } catch (error) {
      if (aborted.signal.aborted) throw CliError.interrupted()
      throw error
    } finally {
      spinner.stop()
      process.removeListener('SIGINT', onSigint)
    }
  }
}
