import {Help} from '@oclif/core'

/** oclif's help, plus a line under bare `clawd`'s help (as gh does): what a newcomer runs first. */
export default class ClawdHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log('Get started: `clawd login`, then `clawd instance create`, then `clawd chat`.')
  }
}
