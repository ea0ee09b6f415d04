import {Flags} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {readNewPassword} from '../../../src/cli/kit/secret-input.js'
import {PLAN_NAMES, type PlanName} from '../../../src/contract/plans.js'

export default class ServerUsersCreate extends AdminCommand {
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
  }

  async run() {
    const {flags} = await this.parse(ServerUsersCreate)
    const password = await readNewPassword(this.io)
    const user = await this.admin(flags, (admin) => admin.createUser({body: {email: flags.email, password, plan: flags.plan as PlanName}}))
    this.out.say(`Created user ${user.email} (${user.id}) on the ${user.plan} plan.`)
    return user
  }
}
