import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import {followLogs, formatEntry, type LogsFilter, readLogs, sinceToIso} from '../src/cli/logs/access-log.js'
import {MAX_LOG_PAGE, type LogsResponse} from '../src/contract/logs.js'
import {parseDuration} from '../src/duration.js'

export default class Logs extends BaseCommand {
  static override summary = 'Show your account’s access log: every request made with your tokens, and instance lifecycle events.'
  static override description =
    'Entries name the token (by id), client, address, route and result, never tokens, keys or message text. The server keeps ' +
    'them for its retention window (30 days by default). With --follow, new entries are printed as they come (NDJSON with --json).'
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs --since 1h --instance my-agent',
    '<%= config.bin %> logs --follow --json',
  ]
  static override flags = {
    since: Flags.string({summary: 'Only entries from this long ago (1h, 7d) or since this ISO time.', env: 'CLAWD_LOGS_SINCE'}),
    // No CLAWD_INSTANCE fallback on purpose: this is the account's log, and a default instance
    // set for other commands must not silently narrow it.
    instance: Flags.string({char: 'i', summary: 'Only entries about this instance (id or name).'}),
    limit: Flags.integer({summary: 'How many entries (the newest).', default: 100, min: 1, max: MAX_LOG_PAGE}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new entries until interrupted.', default: false}),
    interval: Flags.custom<number>({parse: async (input) => parseDuration(input)})({summary: 'How often --follow asks.', default: 2000, hidden: true}),
  }

  async run(): Promise<LogsResponse | undefined> {
    const {flags} = await this.parse(Logs)
    const api = await this.factory(flags).api()
    const filter: LogsFilter = {since: flags.since ? sinceToIso(flags.since) : undefined, instance: flags.instance, limit: flags.limit}
    if (flags.follow) {
      const json = this.jsonEnabled()
      await followLogs(api, filter, (entry) => this.io.stdout.write((json ? JSON.stringify(entry) : formatEntry(entry)) + '\n'), {
        intervalMs: flags.interval,
      })
      return undefined
    }
    const page = await readLogs(api, filter)
    if (page.entries.length === 0) this.note('No log entries' + (filter.since ? ' in that time.' : '.'))
    for (const entry of page.entries) this.say(formatEntry(entry))
    return page
  }
}
