import {Flags} from '@oclif/core'
import {MAX_PAGE} from '../../src/contract/paging.js'
import {listSessionsResponseSchema, type Session} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/base-command.js'
import {sessionsPath, sessionsTable} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/flags.js'
import {instancePath, resolveInstanceRef} from '../../src/cli/instances.js'

export default class SessionsList extends BaseCommand {
  static override summary = 'List the conversations with an instance’s agent.'
  static override description = 'Oldest first, a page at a time: --limit sets the page size, --cursor continues, --all reads every page.'
  static override aliases = ['sessions ls']
  static override flags = {
    instance: instanceFlag,
    limit: Flags.integer({summary: `Sessions per page (1–${MAX_PAGE}).`, min: 1, max: MAX_PAGE, default: 50}),
    cursor: Flags.string({summary: 'Continue after the page that printed this cursor.'}),
    all: Flags.boolean({summary: 'Every session, reading page after page.', exclusive: ['cursor']}),
  }

  async run(): Promise<{sessions: Session[]; next_cursor: string | null}> {
    const {flags} = await this.parse(SessionsList)
    const {client} = await this.factory(flags).apiClient()
    const ref = await resolveInstanceRef(client, flags.instance)
    const sessions: Session[] = []
    let cursor = flags.cursor ?? null
    do {
      const query = new URLSearchParams({limit: String(flags.all ? MAX_PAGE : flags.limit), ...(cursor ? {cursor} : {})})
      const page = await client.get(`${sessionsPath(instancePath(ref))}?${query}`, listSessionsResponseSchema)
      sessions.push(...page.sessions)
      cursor = page.next_cursor
    } while (flags.all && cursor)
    if (sessions.length === 0) this.say('No sessions yet. Start one with `clawd chat`.')
    else this.say(sessionsTable(sessions))
    if (cursor) this.note(`More sessions: \`clawd sessions list --cursor ${cursor}\`, or --all for every one.`)
    return {sessions, next_cursor: cursor}
  }
}
