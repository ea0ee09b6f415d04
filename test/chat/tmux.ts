import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const hasTmux = spawnSync('tmux', ['-V']).status === 0

export interface Terminal {
  /** tmux send-keys: literal text, or key names such as 'Enter', 'C-c', 'C-d'. */
  keys(...keys: string[]): void
  type(text: string): void
  screen(): string
  /** Polls the screen until `pattern` shows (bounded); returns the screen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  close(): void
}

/**
 * A real pseudo-terminal for REPL tests: a detached tmux session on its own tmux server (its own
 * socket, so nothing else is touched). The command's environment comes from a 0600 file in
 * `dir`, so tokens never appear in any process's argv.
 */
export function openTerminal(dir: string, command: string, env: Record<string, string>): Terminal {
  const socket = `clawd-test-${randomBytes(4).toString('hex')}`
  const envFile = join(dir, `${socket}.env`)
  // No update notice (and no registry check) unless a test asks for one (issue 16 item 13).
  env = {CLAWD_SKIP_NEW_VERSION_CHECK: 'true', ...env}
  writeFileSync(envFile, Object.entries(env).map(([k, v]) => `export ${k}='${v.replaceAll("'", `'\\''`)}'\n`).join(''), {mode: 0o600})
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'})
  // A person at a terminal, even when the suite runs in CI (CI=true would rightly forbid prompts).
  // The exit status stays on screen so the test can read it.
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'repl', '-x', '120', '-y', '40', `sh -c 'unset CI GITHUB_ACTIONS BUILD_NUMBER; . ${envFile}; ${command}; echo "EXIT=$?"; sleep 120'`)
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'repl')
  return {
    keys: (...keys) => void tmux('send-keys', '-t', 'repl', ...keys),
    type: (text) => void tmux('send-keys', '-t', 'repl', '-l', text),
    screen,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const text = screen()
        if (pattern.test(text)) return text
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    close() {
      spawnSync('tmux', ['-L', socket, 'kill-server'])
    },
  }
}
