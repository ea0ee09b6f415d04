import {Help} from '@oclif/core'

/** The line under bare `clawd`'s help (as gh does): what a newcomer runs first. */
export const GETTING_STARTED = 'Get started: `clawd login`, then `clawd instance create`, then `clawd chat`.'

/** oclif's help, plus a getting-started line under the root help. */
export default class ClawdHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(GETTING_STARTED)
  }
}
