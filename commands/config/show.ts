import {Args} from '@oclif/core'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {ExitCode} from '../../src/cli/kit/exit-codes.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {table} from '../../src/cli/kit/table.js'
import {targetInstance} from '../../src/cli/instances/ref.js'

export default class ConfigShow extends BaseCommand {
  static override summary = 'Print one workspace file, or list them all.'
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show SOUL.md', '<%= config.bin %> config show USER.md > USER.md']
  static override args = {file: Args.string({description: 'A file such as SOUL.md or memory/2026-07-01.md.'})}
  static override flags = {instance: instanceFlag}

  async run(): Promise<{path: string; content: string} | {files: Array<{path: string; bytes: number}>}> {
    const {args, flags} = await this.parse(ConfigShow)
    const api = await this.factory(flags).api()
    const instance = await targetInstance(api, flags.instance)
    const {files} = await api.workspace.get({ref: instance.id})
    if (!args.file) {
      const listed = files.map((f) => ({path: f.path, bytes: Buffer.byteLength(f.content, 'utf8')}))
      if (listed.length === 0) this.out.note(`${instance.name} has an empty workspace. Add a file with \`clawd config edit SOUL.md\`.`)
      else this.out.say(table(['FILE', 'BYTES'], listed.map((f) => [f.path, String(f.bytes)])))
      return {files: listed}
    }
    const file = files.find((f) => f.path === args.file)
    if (!file) {
      throw new CliError({
        code: 'not_found',
        message: `${instance.name} has no ${args.file}.`,
        hint: files.length ? `Its files: ${files.map((f) => f.path).join(', ')}.` : 'Create it with `clawd config edit FILE`.',
        exitCode: ExitCode.notFound,
      })
    }
    // The text exactly as stored, so `config show F > F` round-trips.
    if (!this.jsonEnabled()) this.io.stdout.write(file.content)
    return file
  }
}
