import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import {CliError} from '../src/cli/kit/errors.js'
import {exportAccount, type AccountExportResult} from '../src/cli/account/export-all.js'
import {exportTarget, planWorkspaceExport, writeExport, type ExportResult} from '../src/cli/workspace/export.js'
import {instanceFlag} from '../src/cli/kit/flags.js'
import {targetInstance} from '../src/cli/instances/ref.js'

export default class Export extends BaseCommand {
  static override summary = "Write the agent's markdown workspace so any OpenClaw install loads it as is."
  static override description =
    'Writes the workspace exactly as it is stored (OpenClaw layout): AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, BOOTSTRAP.md while ' +
    'the first-run ritual is pending, TOOLS.md, HEARTBEAT.md and dreams.md when you have them, memory/**/*.md notes and skills/<name>/ ' +
    'directories; a push followed by an export gives the same bytes back. The export rules and a secret scan run first: anything that looks ' +
    'like a key or token refuses the export, naming the file and line. Writes are atomic; a non-empty directory or an existing file is ' +
    'replaced only with --force. The tar format is deterministic: the same workspace gives the same bytes. In a real OpenClaw, run ' +
    '`openclaw setup --workspace DIR` once on the exported directory: it takes a finished workspace as set up (no BOOTSTRAP.md).\n\n' +
    'With --all: everything the service holds on your account (account, instances, workspaces, session transcripts, key and token metadata, ' +
    'access log) as one tar with a versioned manifest.json. Secrets (tokens, key ciphertexts) are never included.'
  static override examples = [
    '<%= config.bin %> export',
    '<%= config.bin %> export --out ~/.openclaw/workspace --force',
    '<%= config.bin %> export --format tar --out agent.tar',
    '<%= config.bin %> export --out - | tar -tvf -',
    '<%= config.bin %> export --all --out my-clawd-data.tar',
  ]
  static override flags = {
    instance: instanceFlag,
    out: Flags.string({char: 'o', summary: 'Where to write: a directory, a .tar file, or - for a tar on stdout.'}),
    format: Flags.string({summary: 'dir or tar (default: tar for --out *.tar and -, else dir).', options: ['dir', 'tar']}),
    legacy: Flags.boolean({
      summary: 'Kept for older scripts: TOOLS.md and HEARTBEAT.md are now always written when you have them, and never made up.',
      default: false,
    }),
    force: Flags.boolean({summary: 'Replace a non-empty directory or an existing file at --out.', default: false}),
    all: Flags.boolean({summary: 'Export everything the service holds on your account, as a tar.', default: false}),
  }

  async run(): Promise<ExportResult | AccountExportResult> {
    const {flags} = await this.parse(Export)
    if (flags.out === '-' && this.jsonEnabled()) throw CliError.usage('--json and --out - both want stdout.', 'Write the archive to a file with --out FILE, or drop --json.')
    const api = await this.factory(flags).api()

    if (flags.all) {
      if (flags.instance || flags.legacy || flags.format === 'dir') {
        throw CliError.usage('--all exports the whole account as one tar; it takes no -i, --legacy or --format dir.', 'Run `clawd export --all [--out FILE|-]`.')
      }
      const out = flags.out ?? 'clawd-account-export.tar'
      const result = await exportAccount(api, out, {force: flags.force, stdout: this.io.stdout})
      for (const i of result.manifest.instances) {
        if (i.unavailable) this.out.note(`Warning: ${i.name}: only its metadata was exported; ${i.unavailable}`)
      }
      if (out !== '-') this.out.say(`Wrote ${result.files} files (${result.bytes} bytes) to ${out}; manifest.json lists them.`)
      return result
    }

    const instance = await targetInstance(api, flags.instance)
    const target = exportTarget(instance.name, flags)
    const plan = planWorkspaceExport((await api.workspace.get({ref: instance.id})).files)
    await writeExport(plan.files, target, {force: flags.force, stdout: this.io.stdout})
    for (const s of plan.skipped) this.out.note(`Left out ${s.message}`)
    if (target.out !== '-') this.out.say(`Exported ${plan.files.length} files from ${instance.name} to ${target.out}.`)
    return {out: target.out, format: target.format, files: plan.files.map((f) => f.path), skipped: plan.skipped}
  }
}
