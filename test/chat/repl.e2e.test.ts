import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {BIN, json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'
import {hasTmux, openTerminal, type Terminal} from './tmux.js'

/**
 * The REPL on a real pseudo-terminal (tmux): Ctrl-C stops an answer and keeps the session and
 * the prompt; the next message works; /new, /model, /exit, Ctrl-C at an empty prompt and Ctrl-D.
 * And SIGINT during a one-shot answer.
 * The dev provider is slowed so there is time to press Ctrl-C in the middle of an answer.
 */
describe.skipIf(!hasTmux)('clawd chat: stopping answers, and the REPL on a terminal (e2e)', () => {
  let server: ServerProcess
  let user: TestUser
  let term: Terminal | undefined
  const dir = tempDir('clawd-repl-')
  const env = () => ({CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(dir.path, 'cli')})
  const cli = (args: string[], input?: string) => runCli(args, {input, env: env()})
  const chat = (args = '') =>
    openTerminal(dir.path, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} chat ${args}`, {
      ...env(),
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TERM: 'xterm-256color',
    })

  beforeAll(async () => {
    server = await startServerProcess({args: ['--dev-delay', '300ms']})
    user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const created = await cli(['instance', 'create', 'talker', '--wait', '--model', 'dev/echo', '--json'])
    expect(created.code, created.stderr).toBe(0)
    expect((await cli(['keys', 'set', 'dev'], 'x')).code).toBe(0)
  }, 120_000)
  afterEach(() => {
    term?.close()
    term = undefined
  })
  afterAll(async () => {
    await server?.stop()
    dir.dispose()
  })

  it('Ctrl-C stops the answer, the REPL stays, the next message works in the same session, /exit leaves', async () => {
    term = chat()
    await term.waitFor(/Chatting with talker[\s\S]*›\s*$/m)
    term.type('hello there')
    term.keys('Enter')
    await term.waitFor(/This reply comes/)
    term.keys('C-c')
    // On a busy machine a few more words may arrive before the Ctrl-C lands; what matters is that
    // the answer stops short of its end (checked below, on screen and in the transcript).
    await term.waitFor(/This reply comes[^›]*\n\(stopped\)\n›/)

    term.type('second message')
    term.keys('Enter')
    const after = await term.waitFor(/You said: "second message"\. .*once a key is set\.\n›/)
    // The stopped answer never reached its end on screen; the second one did, once.
    expect(after.match(/once a key is set\./g)).toHaveLength(1)

    term.type('/model dev/other')
    term.keys('Enter')
    await term.waitFor(/next messages use dev\/other/)
    term.type('third')
    term.keys('Enter')
    await term.waitFor(/model "other"\).*You said: "third"/)
    await term.waitFor(/once a key is set\.\n›\s*$/m)

    term.type('/exit')
    term.keys('Enter')
    await term.waitFor(/EXIT=0/)

    // One session holds all three exchanges; the first answer was stopped, not lost.
    const sessions = json(await cli(['sessions', 'list', '--json'])).sessions
    expect(sessions).toHaveLength(1)
    const detail = json(await cli(['sessions', 'show', sessions[0].id, '--json']))
    expect(detail.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant'])
    expect(detail.messages[1].stop_reason).toBe('aborted')
    expect(detail.messages[1].content).not.toContain('once a key is set')
    expect(detail.messages[3]).toMatchObject({stop_reason: 'end_turn'})
    expect(detail.messages[5]).toMatchObject({model: 'dev/other'})
  })

  it('/new starts another session; Ctrl-C clears a typed line and a second Ctrl-C leaves with 130', async () => {
    const before = json(await cli(['sessions', 'list', '--json'])).sessions.length
    term = chat()
    await term.waitFor(/›\s*$/m)
    term.type('/new')
    term.keys('Enter')
    await term.waitFor(/next message starts a new session/)
    term.type('in a new session')
    term.keys('Enter')
    await term.waitFor(/\(new session ses_[a-z2-7]{20}\)/)
    await term.waitFor(/once a key is set\.\n›\s*$/m)
    expect(json(await cli(['sessions', 'list', '--json'])).sessions).toHaveLength(before + 1)

    term.type('half a thought')
    term.keys('C-c')
    await term.waitFor(/press Ctrl-C again/)
    term.keys('C-c')
    const screen = await term.waitFor(/EXIT=130/)
    expect(screen).not.toMatch(/You said: "half a thought"/)
  })

  it('Ctrl-D leaves with 0', async () => {
    term = chat()
    await term.waitFor(/›\s*$/m)
    term.keys('C-d')
    await term.waitFor(/EXIT=0/)
  })

  it('one-shot: SIGINT stops the answer and exits 130; the session keeps what was said', async () => {
    const child = spawn(process.execPath, [BIN, 'chat', '-m', 'interrupt me', '--json'], {
      env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: '1', ...env()},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d
        if (stdout.includes('"text.delta"')) resolve()
      })
      child.on('close', () => reject(new Error(`exited before the first delta\n${stdout}\n${stderr}`)))
    })
    child.kill('SIGINT')
    const code = await exited
    clearTimeout(killer)
    expect(code, stderr).toBe(130)
    const events = stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(events.at(-1)).toMatchObject({type: 'message.end', stop_reason: 'aborted'})
    const detail = json(await cli(['sessions', 'show', events[0].session_id, '--json']))
    expect(detail.messages.map((m: any) => m.role)).toEqual(['user', 'assistant'])
    expect(detail.messages[1].stop_reason).toBe('aborted')
  })

  it('a paused instance resumes on demand when the REPL sends a message', async () => {
    expect((await cli(['instance', 'pause', 'talker', '--wait'])).code).toBe(0)
    term = chat()
    await term.waitFor(/›\s*$/m)
    term.type('wake up')
    term.keys('Enter')
    await term.waitFor(/You said: "wake up"\. .*once a key is set\.\n›/, 60_000)
    expect(json(await cli(['instance', 'show', 'talker', '--json'])).state).toBe('running')
  })
})
