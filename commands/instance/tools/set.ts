import {Flags} from '@oclif/core'
import {instanceArg} from '../../../src/cli/kit/flags.js'
import {BaseCommand} from '../../../src/cli/kit/base-command.js'
import {CliError} from '../../../src/cli/kit/errors.js'
import {instanceApi} from '../../../src/cli/instances/ref.js'
import {KNOWN_TOOL_ENTRIES_TEXT, toolPolicySchema, TOOL_PROFILES} from '../../../src/contract/tool-policy.js'
import {type InstanceToolsResult, sayTools} from './show.js'

export default class InstanceToolsSet extends BaseCommand {
  static override summary = 'Set an instance’s tool policy: a profile, plus tools or groups to allow and deny (deny wins).'
  static override description =
    'Replaces the whole policy, like OpenClaw’s tools.profile / tools.allow / tools.deny. Profiles: minimal (no tools), ' +
    `coding (all tools). Entries: ${KNOWN_TOOL_ENTRIES_TEXT}. Tools run only on the dedicated plan; on the free plan ` +
    'only a policy that grants no tool is accepted.'
  static override examples = [
    '<%= config.bin %> instance tools set --profile coding',
    '<%= config.bin %> instance tools set my-agent --profile coding --deny group:runtime',
    '<%= config.bin %> instance tools set --profile minimal --allow group:memory,read',
  ]
  static override args = {instance: instanceArg}
  static override flags = {
    profile: Flags.string({summary: 'The base set: minimal (no tools) or coding (all tools).', options: [...TOOL_PROFILES], required: true}),
    allow: Flags.string({summary: 'Tools or groups added to the profile (repeatable, or comma-separated).', multiple: true, delimiter: ','}),
    deny: Flags.string({summary: 'Tools or groups removed; deny wins over allow (repeatable, or comma-separated).', multiple: true, delimiter: ','}),
  }

  async run(): Promise<InstanceToolsResult> {
    const {args, flags} = await this.parse(InstanceToolsSet)
    // Checked here too, so a typo is named before anything is sent; the server checks again.
    const parsed = toolPolicySchema.safeParse({profile: flags.profile, allow: flags.allow ?? [], deny: flags.deny ?? []})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw CliError.usage(`--${String(issue?.path[0] ?? 'profile')}: ${issue?.message ?? 'invalid'}.`, 'See `clawd instance tools set --help`.')
    }
    const {api, ref} = await instanceApi(this.factory(flags), args.instance)
    return sayTools(this.out, await api.instances.setTools({ref, body: parsed.data}))
  }
}
