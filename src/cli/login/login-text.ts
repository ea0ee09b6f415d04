/** What `clawd login` says while it waits, worded for where the person approves. */
export function waitingText(browserOpened: boolean): string {
  return browserOpened
    ? 'Waiting for approval in the browser…'
    : 'Waiting for approval (open the link above on any device with a browser)…'
}
