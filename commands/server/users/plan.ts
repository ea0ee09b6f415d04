import {Args} from '@oclif/core'
import {AdminCommand} from '../../../src/cli/server/admin-command.js'
import {PLAN_NAMES, type PlanName} from '../../../src/contract/plans.js'

export default class ServerUsersPlan extends AdminCommand {
  static override summary = 'Move a user to another plan: free (chat only) or dedicated (tools).'
  static override description =
    'Takes effect on the user’s next message. Instances keep their tool policy: on dedicated it decides which tools run ' +
    '(`clawd instance tools set`); on free no tool runs whatever it says. Works whether or not the server runs.'
  static override examples = ['<%= config.bin %> server users plan ada@example.com dedicated', '<%= config.bin %> server users plan ada@example.com free --json']
  static override args = {
    email: Args.string({description: 'The user’s email.', required: true}),
    plan: Args.string({description: 'The new plan.', required: true, options: [...PLAN_NAMES]}),
  }

  async run() {
    const {args, flags} = await this.parse(ServerUsersPlan)
    const user = await this.admin(flags, (admin) => admin.setPlan({body: {email: args.email, plan: args.plan as PlanName}}))
    this.out.say(
      user.previous_plan === user.plan
        ? `${user.email} is already on the ${user.plan} plan.`
        : `Moved ${user.email} from the ${user.previous_plan} plan to the ${user.plan} plan.`,
    )
    return user
  }
}
