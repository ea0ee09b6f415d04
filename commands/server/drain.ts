import {AdminCommand} from '../../src/cli/server/admin-command.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {ExitCode} from '../../src/cli/kit/exit-codes.js'

export default class ServerDrain extends AdminCommand {
  static override summary = 'Move every instance off this API replica, to the other live replicas.'
  static override description =
    'For several API replicas on one PostgreSQL, before stopping one. Each instance is paused, its encrypted storage copied ' +
    'to the replica with the fewest running instances, and resumed there if it was running. Run it on the replica’s machine ' +
    '(it uses the admin socket in the data dir); the replica takes no new instances afterwards.'
  static override examples = ['<%= config.bin %> server drain --data-dir /var/lib/clawd']

  async run() {
    const {flags} = await this.parse(ServerDrain)
    const result = await this.admin(flags, (admin) => admin.drain({body: {}}))
    for (const m of result.moved) this.out.say(`moved ${m.name} (${m.id}) to ${m.to}: ${m.was}, ${m.bytes} bytes, ${m.ms} ms`)
    for (const f of result.failed) this.out.note(`not moved: ${f.name} (${f.id}): ${f.reason}`)
    if (result.moved.length === 0 && result.failed.length === 0) this.out.say(`Replica ${result.replica} runs no instances.`)
    if (result.failed.length > 0) {
      throw new CliError({
        code: 'drain_incomplete',
        message: `${result.failed.length} instance(s) stayed on replica ${result.replica}.`,
        hint: 'Start another replica with --internal-port (or fix the reason above), then drain again.',
        exitCode: ExitCode.unavailable,
      })
    }
    return result
  }
}
