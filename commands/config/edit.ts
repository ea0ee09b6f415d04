import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {targetInstance} from '../../src/cli/instances/ref.js'
import {assertCanEdit, editWorkspaceFile, type EditResult} from '../../src/cli/workspace/edit.js'

export default class ConfigEdit extends BaseCommand {
  static override summary = 'Edit one workspace file in $VISUAL or $EDITOR, then push it.'
  static override description =
    'Opens a private temporary copy; when you save a change, the file is checked (exact name, UTF-8, size, no frontmatter, no secrets) and pushed. ' +
    'Needs a terminal: in scripts use `config show FILE > FILE` and `config push DIR`.'
  static override examples = ['<%= config.bin %> config edit SOUL.md', 'EDITOR="code --wait" <%= config.bin %> config edit USER.md -i work']
  static override args = {file: Args.string({description: 'A file such as SOUL.md, memory/2026-07-01.md or skills/weather/SKILL.md (created when missing).', required: true})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<EditResult> {
    const {args, flags} = await this.parse(ConfigEdit)
    assertCanEdit(this.io, args.file)
    const api = await this.factory(flags).api()
    const instance = await targetInstance(api, flags.instance)
    const result = await editWorkspaceFile(api, this.io, instance.id, args.file)
    this.out.say(result.changed ? `${result.created ? 'Created' : 'Updated'} ${result.path} on ${instance.name}.` : `No changes to ${result.path}; nothing pushed.`)
    return result
  }
}
