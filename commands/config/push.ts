import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {targetInstance} from '../../src/cli/instances/ref.js'
import {pushWorkspace, readPushSource, type PushResult} from '../../src/cli/workspace/push.js'

export default class ConfigPush extends BaseCommand {
  static override summary = 'Bring an OpenClaw workspace in: it replaces the agent’s workspace, all files or none.'
  static override description =
    'Uploads what an OpenClaw workspace holds: AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, BOOTSTRAP.md, TOOLS.md, HEARTBEAT.md, ' +
    'dreams.md, memory/**/*.md notes and skills/<name>/ directories (SKILL.md and its files), frontmatter included. Symlinks, paths that ' +
    'leave the directory, files that are not UTF-8, files over 2 MiB and anything that looks like a key are rejected with the reason, and ' +
    'then nothing is pushed (exit 2). Other entries (.git, canvas/) are listed as skipped. Files on the instance that the push does not bring are removed.'
  static override examples = [
    '<%= config.bin %> config push ~/.openclaw/workspace',
    '<%= config.bin %> config push agent.tar -i work',
    '<%= config.bin %> export --out - -i old | <%= config.bin %> config push - -i new',
  ]
  static override args = {dir: Args.string({description: 'A workspace directory, a .tar archive, or - for a tar on stdin.', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<PushResult> {
    const {args, flags} = await this.parse(ConfigPush)
    const api = await this.factory(flags).api()
    const instance = await targetInstance(api, flags.instance)
    const check = await readPushSource(args.dir, this.io.stdin)
    for (const s of check.skipped) this.out.note(`Skipped ${s.message}`)
    const result = await pushWorkspace(api, instance.id, check, args.dir)
    this.out.say(`Pushed ${result.applied.length} file${result.applied.length === 1 ? '' : 's'} to ${instance.name}: ${result.applied.join(', ')}`)
    if (result.removed.length > 0) this.out.say(`Removed from ${instance.name} (not in ${args.dir}): ${result.removed.join(', ')}`)
    return result
  }
}
