// Drives the built CLI and a `clawd server start` subprocess: shared by `npm run demo` and
// `npm run bench`, which both run outside vitest (plain Node on the built code).
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
export const bin = join(root, 'bin', 'run.js')

/** A scratch area with its own CLI config dir, removed by dispose(). */
export function workspace(prefix = 'clawd-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  // As root the embedded PostgreSQL runs as its own system user, which must pass through here.
  chmodSync(dir, 0o711)
  const env = {...process.env, CLAWD_CONFIG_DIR: join(dir, 'config'), NO_COLOR: '1'}
  delete env.CLAWD_TOKEN
  delete env.CLAWD_API_URL
  return {dir, env, dispose: () => rmSync(dir, {recursive: true, force: true})}
}

/**
 * Runs `clawd ...args`; resolves with {code, out, err}. `onOut`/`onErr` see output as it comes.
 * `check` (default true) rejects on a non-zero exit.
 */
export function clawd(args, {env, input, onOut, onErr, check = true} = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => {
      out += d
      onOut?.(d)
    })
    child.stderr.on('data', (d) => {
      err += d
      onErr?.(d)
    })
    child.on('close', (code) => {
      if (check && code !== 0) reject(new Error(`clawd ${args.slice(0, 2).join(' ')} exited ${code}: ${err.trim().split('\n').pop()}`))
      else resolvePromise({code, out, err})
    })
    child.stdin.end(input ?? '')
  })
}

/**
 * `clawd server start` on a free port; resolves once it has written server.json. It waits as long
 * as the server lives (a busy machine is slow, not broken) and, if the server exits first, fails
 * with what the server said.
 */
export async function startServer({env, dataDir, args = [], onErr} = {}) {
  const child = spawn(process.execPath, [bin, 'server', 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let said = ''
  child.stderr.on('data', (d) => {
    said += d
    onErr?.(d)
  })
  const info = join(dataDir, 'server.json')
  for (;;) {
    if (existsSync(info)) {
      const parsed = JSON.parse(readFileSync(info, 'utf8'))
      if (parsed.pid === child.pid) {
        return {
          child,
          url: parsed.url,
          dataDir,
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r()
              child.once('exit', r)
              child.kill('SIGTERM')
            }),
        }
      }
    }
    if (child.exitCode !== null) {
      throw new Error(`the server exited (${child.exitCode}) before it was ready: ${said.trim().split('\n').slice(-3).join(' / ') || 'it printed nothing'}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * `clawd login --no-browser`, approved from the server's shell with `clawd server approve`, as a
 * self-hosting operator would. The account must exist (`clawd server users create`).
 */
export async function deviceLogin({env, url, dataDir, email, onOut, onErr, onApprove}) {
  const child = spawn(process.execPath, [bin, 'login', '--api', url, '--no-browser'], {env, stdio: ['ignore', 'pipe', 'pipe']})
  child.stdout.on('data', (d) => onOut?.(d))
  const exited = new Promise((r) => child.once('close', r))
  const code = await new Promise((resolveCode, reject) => {
    let err = ''
    child.stderr.on('data', (d) => {
      onErr?.(d)
      err += d
      const m = /[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}/.exec(err)
      if (m) resolveCode(m[0])
    })
    exited.then((c) => reject(new Error(`login exited ${c} before showing a code`)))
  })
  onApprove?.(code)
  await clawd(['server', 'approve', code, '--email', email, '--data-dir', dataDir], {env, onOut, onErr})
  const status = await exited
  if (status !== 0) throw new Error(`login exited ${status}`)
}

/** A new account, logged in with the CLI, plus an API token for raw HTTP calls. */
export async function newAccount({env, url, dataDir, email}) {
  await clawd(['server', 'users', 'create', '--email', email, '--data-dir', dataDir], {env, input: 'bench-password-123\n'})
  await deviceLogin({env, url, dataDir, email})
  const {out} = await clawd(['tokens', 'create', '--name', 'bench', '--json', '--api', url], {env})
  return {token: JSON.parse(out).token}
}
