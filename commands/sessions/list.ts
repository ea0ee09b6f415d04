import type {Session} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {sessionsTable} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {pageFlags, readPages} from '../../src/cli/kit/pages.js'

export default class SessionsList extends BaseCommand {
  static override summary = 'List the conversations with an instance’s agent.'
  static override description = 'Oldest first, a page at a time: --limit sets the page size, --cursor continues, --all reads every page.'
  static override aliases = ['sessions ls']
  static override flags = {instance: instanceFlag, ...pageFlags}

  async run(): Promise<{sessions: Session[]; next_cursor: string | null}> {
    const {flags} = await this.parse(SessionsList)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    const {items: sessions, next} = await readPages((page) => api.sessions.list({ref, ...page}), 'sessions', flags)
    if (sessions.length === 0) this.say('No sessions yet. Start one with `clawd chat`.')
    else this.say(sessionsTable(sessions))
    if (next) this.note(`More sessions: \`clawd sessions list --cursor ${next}\`, or --all for every one.`)
    return {sessions, next_cursor: next}
  }
}
