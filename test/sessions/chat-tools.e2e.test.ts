import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {streamEventSchema} from '../../src/contract/stream.js'
import {BIN, json, runCli} from '../helpers/cli.js'
import {tempDir} from '../helpers/tmp.js'
import {hasTmux, openTerminal, type Terminal} from '../chat/tmux.js'
import {startCli} from '../cli/cli-process.js'
import {GATEWAY_TOKEN, startMiniGateway, type MiniGateway} from './mini-gateway.js'
import {MemoryToolbox} from './tool-box.js'
import {COMMAND, NOTE} from './dev-tools.js'

/**
 * `clawd chat` (the built CLI) with an agent that runs tools: the tool lines, --json's NDJSON,
 * `sessions show`, the step bound as the person sees it, and --approve on a real terminal
 * (tmux) and without one. The agent is real (dev/tools, the loop, the routes); the API in front
 * of it is a stand-in that sets the allowed-tools header (test/sessions/mini-gateway.ts).
 */
describe('clawd chat with tools (e2e)', () => {
  const toolbox = new MemoryToolbox()
  let gateway: MiniGateway
  const dir = tempDir('clawd-chat-tools-')
  const env = (url = gateway.url) => ({CLAWD_API_URL: url, CLAWD_TOKEN: GATEWAY_TOKEN, CLAWD_CONFIG_DIR: dir.path})
  const cli = (args: string[], url?: string) => runCli(args, {env: env(url)})

  beforeAll(async () => {
    gateway = await startMiniGateway({toolbox, allowedTools: 'read,write,edit,exec'})
  })
  afterAll(async () => {
    await gateway?.close()
    dir.dispose()
  })

  it('shows each call as a line on stderr with its outcome, the answer on stdout, and exits 0', async () => {
    const result = await cli(['chat', '-m', 'note this down', '--model', 'dev/tools'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^I'll write a note[\s\S]*Done\. This was dev\/tools/)
    expect(result.stdout).not.toMatch(/[✓⋯]/)
    const lines = result.stderr.split('\n').filter((l) => /^ {2}[⋯✓✗⊘] /.test(l))
    expect(lines).toEqual([
      `  ⋯ write ${NOTE}`,
      expect.stringMatching(new RegExp(`^  ✓ write ${NOTE} · wrote \\d+ characters`)),
      `  ⋯ read ${NOTE}`,
      `  ✓ read ${NOTE} · # A note from dev/tools`,
      `  ⋯ exec ${COMMAND}`,
      expect.stringMatching(new RegExp(`^  ✓ exec ${COMMAND} · \\d+ ${NOTE}$`)),
    ])
  })

  it('--json prints every event as NDJSON, tool.start and tool.end included, in order', async () => {
    const result = await cli(['chat', '-m', 'again', '--model', 'dev/tools', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const events = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    for (const e of events) expect(streamEventSchema.safeParse(e).success).toBe(true)
    const tools = events.filter((e) => e.type.startsWith('tool.')).map((e) => `${e.type} ${e.name}`)
    expect(tools).toEqual(['tool.start write', 'tool.end write', 'tool.start read', 'tool.end read', 'tool.start exec', 'tool.end exec'])
    expect(events[0].type).toBe('session')
    expect(events.at(-1)).toMatchObject({type: 'message.end', stop_reason: 'end_turn'})

    const show = await cli(['sessions', 'show', events[0].session_id])
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toContain(`  ✓ write ${NOTE} · wrote`)
    expect(show.stdout).toContain(`  ✓ exec ${COMMAND} · `)
    const detail = json(await cli(['sessions', 'show', events[0].session_id, '--json']))
    expect(detail.messages[1].tools.map((t: any) => t.name)).toEqual(['write', 'read', 'exec'])
  })

  it('--approve without a terminal never asks: it says so and the policy alone decides', async () => {
    const before = toolbox.calls.length
    const result = await cli(['chat', '-m', 'no tty here', '--model', 'dev/tools', '--approve'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/--approve asks only on an interactive terminal/)
    expect(result.stderr).not.toMatch(/\[y\/N\]/)
    expect(toolbox.calls.slice(before).map((c) => c.name)).toEqual(['write', 'read', 'exec'])
  })

  it('the step bound, as the person sees it: exit 1, what happened and what to do', async () => {
    const bounded = await startMiniGateway({toolbox: new MemoryToolbox(), allowedTools: 'read,write,exec', config: {toolMaxSteps: 2}})
    try {
      const result = await cli(['chat', '-m', 'too much', '--model', 'dev/tools'], bounded.url)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/Error: The agent stopped the model after 2 steps: it was still calling tools\./)
      expect(result.stderr).toMatch(/Hint: .*toolMaxSteps/)
    } finally {
      await bounded.close()
    }
  })

  it('Ctrl-C (SIGINT) while a tool runs stops the tool and the answer: exit 130, the loop goes no further', async () => {
    const slowTools = new MemoryToolbox()
    let toolSawAbort = false
    slowTools.hold = (name, _args, signal) =>
      name !== 'exec'
        ? Promise.resolve()
        : new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              toolSawAbort = true
              resolve()
            }),
          )
    const slow = await startMiniGateway({toolbox: slowTools, allowedTools: 'read,write,exec'})
    try {
      const chat = startCli(['chat', '-m', 'run something long', '--model', 'dev/tools'], {env: env(slow.url)})
      await chat.waitForOutput('exec ran', ({stderr}) => stderr.includes(`⋯ exec ${COMMAND}`))
      chat.kill('SIGINT')
      const {code, stdout, stderr} = await chat.done
      expect(code, stderr).toBe(130)
      expect(toolSawAbort).toBe(true)
      expect(stdout).not.toMatch(/Done\./)
      expect(slowTools.calls.map((c) => c.name)).toEqual(['write', 'read', 'exec'])
    } finally {
      await slow.close()
    }
  })

  describe.skipIf(!hasTmux)('--approve on a terminal (tmux)', () => {
    let term: Terminal | undefined
    afterEach(() => {
      term?.close()
      term = undefined
    })

    it('asks y/N before write and exec (not read); y runs the call, n skips it and the model is told so', async () => {
      const before = toolbox.calls.length
      term = openTerminal(dir.path, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} chat --model dev/tools --approve`, {
        ...env(),
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TERM: 'xterm-256color',
      })
      await term.waitFor(/Chatting with tooly[\s\S]*›\s*$/m)
      term.type('take a note')
      term.keys('Enter')
      await term.waitFor(new RegExp(`Allow write ${NOTE}\\? \\[y/N\\] $`, 'm'))
      expect(toolbox.calls.length).toBe(before)
      term.type('y')
      term.keys('Enter')
      await term.waitFor(new RegExp(`Allow exec ${COMMAND}\\? \\[y/N\\] $`, 'm'))
      expect(toolbox.calls.slice(before).map((c) => c.name)).toEqual(['write', 'read'])
      term.type('n')
      term.keys('Enter')
      const screen = await term.waitFor(/exec: failed \(The user declined this call[\s\S]*›\s*$/m)
      expect(screen).toMatch(new RegExp(`⊘ exec ${COMMAND} · skipped: you said no`))
      // The question and the answer stay on screen; the outcome comes under them.
      expect(screen).toMatch(new RegExp(`Allow exec ${COMMAND}\\? \\[y/N\\] n\\n  ⊘ exec`))
      expect(screen).toMatch(new RegExp(`Allow write ${NOTE}\\? \\[y/N\\] y\\n  ✓ write`))
      expect(screen).toMatch(new RegExp(`✓ read ${NOTE}`))
      expect(toolbox.calls.slice(before).map((c) => c.name)).toEqual(['write', 'read'])
      term.type('/exit')
      term.keys('Enter')
      const end = await term.waitFor(/EXIT=0/)
      if (process.env.SHOW_SCREEN) console.log(end)
    })
  })
})
