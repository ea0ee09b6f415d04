import {spawn} from 'node:child_process'
import {isCI, type IOStreams} from '../kit/io.js'

/**
 * Opens a browser only for a person at this machine's own screen: interactive, not CI, not over
 * SSH (the browser would open on the wrong computer), and on Linux only with a display.
 */
export function shouldOpenBrowser(io: IOStreams, platform: NodeJS.Platform = process.platform): boolean {
  const env = io.env
  if (!io.canPrompt || isCI(env)) return false
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return false
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY && !env.BROWSER) return false
  return true
}

function opener(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): [string, string[]] {
  if (env.BROWSER) return [env.BROWSER, [url]]
  if (platform === 'darwin') return ['open', [url]]
  // rundll32 hands the URL to the default browser without cmd.exe re-parsing its & and ^.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]]
  return ['xdg-open', [url]]
}

/**
 * Starts the platform's opener detached and resolves once it has started (true) or failed (false);
 * never waits for the browser itself. The URL is only ever an argument, never shell text.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const [command, args] = opener(url, env, platform)
  return new Promise((resolve) => {
    let child
    try {
      child = spawn(command, args, {detached: true, stdio: 'ignore'})
    } catch {
      resolve(false)
      return
    }
    const timer = setTimeout(() => resolve(false), 2000)
    timer.unref()
    child.once('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
    child.once('spawn', () => {
      clearTimeout(timer)
      child.unref()
      resolve(true)
    })
  })
}
