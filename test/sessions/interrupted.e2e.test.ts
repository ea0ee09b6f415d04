import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {newUser} from '../helpers/auth.js'
import {json, runCli} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {startCli} from '../cli/cli-process.js'

/**
 * Issue 16 item 4: a server killed mid-answer. The agent saves the answer while it streams, so
 * after a restart the session has the part already streamed, marked interrupted (or, when the
 * agent outlived the server long enough to stop cleanly, saved as stopped); and the CLI says how
 * much it got and where the rest is kept.
 */
describe('a server killed mid-answer (e2e)', () => {
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop()
  })

  it('keeps the part already streamed; the CLI says what it got and where to see what was kept', async () => {
    server = await startServerProcess()
    const user = await newUser({url: server.url, adminSocket: join(server.dataDir, 'admin.sock')})
    const env = (url: string) => ({CLAWD_API_URL: url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server!.dataDir, 'cli')})
    const created = await runCli(['instance', 'create', 'crashy', '--wait', '--model', 'dev/slow', '--json'], {env: env(server.url)})
    expect(created.code, created.stderr).toBe(0)
    const isolation = json(created).isolation?.mode

    const chat = startCli(['chat', '-m', 'tell me a long story', '--json'], {env: env(server.url)})
    // dev/slow sends a delta every 150 ms and the agent saves about once a second: wait for 12.
    await chat.waitForOutput('12 deltas', ({stdout}) => (stdout.match(/"text\.delta"/g) ?? []).length >= 12)
    await server.kill()
    const {code, stdout, stderr} = await chat.done
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    // With --json the failure is the last line: {"error": {code, message, hint}}.
    const failure = lines.at(-1).error
    const events = lines.slice(0, -1)
    const seen = events.filter((e) => e.type === 'text.delta').map((e) => e.text).join('')
    expect(code, stderr).toBe(7)
    expect(failure.code).toBe('stream_lost')
    expect(failure.message).toContain(`The connection to the clawd API dropped after ${seen.length} characters of the answer`)
    expect(failure.hint).toContain(`clawd sessions show ${events[0].session_id}`)
    expect(failure.hint).toMatch(/marked interrupted/)

    server = await startServerProcess({dataDir: server.dataDir})
    const show = await runCli(['sessions', 'show', events[0].session_id, '--json'], {env: env(server.url)})
    expect(show.code, show.stderr).toBe(0)
    const answer = json(show).messages[1]
    expect(answer.role).toBe('assistant')
    expect(answer.content.length).toBeGreaterThan(0)
    expect(seen.startsWith(answer.content) || answer.content.startsWith(seen)).toBe(true)
    if (isolation === 'bwrap') {
      // bwrap's --die-with-parent killed the agent with the server: only its saves survive.
      expect(answer).toMatchObject({interrupted: true, stop_reason: 'error'})
      const text = await runCli(['sessions', 'show', events[0].session_id], {env: env(server.url)})
      expect(text.stdout).toMatch(/\(interrupted: the agent stopped mid-answer; above is what it had saved, \d+ characters\)/)
    } else {
      expect(['error', 'aborted']).toContain(answer.stop_reason)
    }
  }, 180_000)
})
