import type {Session} from '../../src/contract/sessions.js'
import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {sessionsView} from '../../src/cli/chat/sessions-view.js'
import {instanceFlag} from '../../src/cli/kit/flags.js'
import {instanceApi} from '../../src/cli/instances/ref.js'
import {listPages, pageFlags} from '../../src/cli/kit/pages.js'

export default class SessionsList extends BaseCommand {
  static override summary = 'List the conversations with an instance’s agent.'
  static override description = 'Oldest first, a page at a time: --limit sets the page size, --cursor continues, --all reads every page.'
  static override aliases = ['sessions ls']
  static override flags = {instance: instanceFlag, ...pageFlags}

  async run(): Promise<{sessions: Session[]; next_cursor: string | null}> {
    const {flags} = await this.parse(SessionsList)
    const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
    return listPages(this.out, (page) => api.sessions.list({ref, ...page}), 'sessions', flags, sessionsView)
  }
}
