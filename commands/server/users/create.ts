import {Flags} from '@oclif/core'
import {withAdmin} from '../../../src/cli/admin-command.js'
import {BaseCommand} from '../../../src/cli/base-command.js'
import {CliError} from '../../../src/cli/errors.js'
import {readSecretFromStdin} from '../../../src/cli/io.js'
import {PLAN_NAMES, type PlanName} from '../../../src/contract/plans.js'
import {dataDirFlag, serverStartFlags} from '../../../src/cli/server/start-flags.js'

export default class ServerUsersCreate extends BaseCommand {
  static override summary = 'Create a user account on this machine’s clawd server.'
  static override description =
    'The password is asked for on a terminal (hidden), or read from standard input (one trailing newline ' +
    'is dropped); it is never a flag, so it stays out of shell history. Works whether or not the server runs.'
  static override examples = [
    '<%= config.bin %> server users create --email ada@example.com',
    '<%= config.bin %> server users create --email ada@example.com --plan dedicated',
    'printf "%s" "$PASSWORD" | <%= config.bin %> server users create --email ada@example.com --data-dir ./data',
  ]
  static override flags = {
    email: Flags.string({summary: 'Email address of the new user.', required: true}),
    plan: Flags.string({summary: 'The plan: free (chat only) or dedicated (tools).', options: [...PLAN_NAMES], default: 'free'}),
    'data-dir': dataDirFlag,
    'database-url': serverStartFlags['database-url'],
  }

  async run() {
    const {flags} = await this.parse(ServerUsersCreate)
    const password = await this.readPassword()
    const user = await withAdmin(this.io, flags, (admin) => admin.createUser({email: flags.email, password, plan: flags.plan as PlanName}))
    this.say(`Created user ${user.email} (${user.id}) on the ${user.plan} plan.`)
    return user
  }

  private async readPassword(): Promise<string> {
    let password: string
    if (this.io.canPrompt) {
      const {password: ask} = await import('@inquirer/prompts')
      const context = {input: this.io.stdin, output: this.io.stderr}
      password = await ask({message: 'Password (8 characters or more):', mask: '*', validate: (v) => v.length >= 8 || 'Use at least 8 characters.'}, context)
      const again = await ask({message: 'Repeat the password:', mask: '*'}, context)
      if (again !== password) throw CliError.usage('The passwords do not match.', 'Run the command again.')
    } else {
      password = await readSecretFromStdin(this.io.stdin)
    }
    if (password.length === 0) {
      throw CliError.usage('No password given.', 'Pipe it on stdin, e.g. printf "%s" "$PASSWORD" | clawd server users create --email E')
    }
    if (password.length < 8) throw CliError.usage('The password is shorter than 8 characters.', 'Choose a longer password.')
    return password
  }
}
