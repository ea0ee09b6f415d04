import {spawn} from 'node:child_process'
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {KEYPAIR_ENTRY} from '../../src/agent/keypair.js'
import {Vault} from '../../src/agent/vault.js'
import {agentRequest} from '../../src/runtime/agent-client.js'
import type {InstanceExit} from '../../src/runtime/driver.js'
import {run} from '../../src/runtime/sandbox.js'
import {allBytes, bwrapUsable, type DriverFixture, eventually, makeDriver, newStartInit, processAlive, requireBuiltAgent} from './helpers.js'

requireBuiltAgent()
const bwrap = await bwrapUsable()

/**
 * The local driver, once as plain processes and once under bwrap (skipped, with the reason, where
 * bwrap does not work): lifecycle, the socket's protection, where secrets are not, crashes.
 */
describe.each([
  {sandbox: 'none' as const, skip: undefined},
  {sandbox: 'bwrap' as const, skip: bwrap.ok ? undefined : `bwrap is not usable here: ${bwrap.reason}`},
])('local driver ($sandbox)', ({sandbox, skip}) => {
  let fx: DriverFixture
  const exits: Array<{id: string; exit: InstanceExit}> = []

  beforeAll(async () => {
    if (skip) return
    fx = await makeDriver({sandbox})
    fx.driver.onExit((id, exit) => exits.push({id, exit}))
  })
  afterAll(async () => {
    await fx?.dispose()
  })

  it.skipIf(skip)(`reports its isolation mode${skip ? ` (${skip})` : ''}`, () => {
    expect(fx.driver.isolation.mode).toBe(sandbox === 'none' ? 'process' : 'bwrap')
    if (sandbox === 'none') expect(fx.driver.isolation.note).toMatch(/without namespace isolation/)
    else expect(fx.driver.isolation.namespaces).toEqual(expect.arrayContaining(['mount', 'pid', 'net']))
  })

  it.skipIf(skip)('creates, starts, stops and destroys an instance', async () => {
    const {driver} = fx
    expect(await driver.status('ins_life')).toBe('missing')
    await driver.create('ins_life')
    await driver.create('ins_life') // idempotent
    const dir = driver.instanceDir('ins_life')
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(await driver.status('ins_life')).toBe('stopped')
    expect(await driver.list()).toContain('ins_life')

    const init = newStartInit()
    const started = await driver.start('ins_life', init)
    expect(started.pid).toBeGreaterThan(0)
    expect(await driver.status('ins_life')).toBe('running')
    await expect(driver.start('ins_life', init)).rejects.toThrow(/already running/)
    const target = {socketPath: driver.connect('ins_life').socketPath, secret: init.secret}
    expect((await agentRequest(target, 'GET', '/health')).body).toMatchObject({ok: true, instance_id: 'ins_life'})

    await driver.stop('ins_life')
    expect(processAlive(started.pid)).toBe(false)
    expect(await driver.status('ins_life')).toBe('stopped')
    expect(driver.lastExit('ins_life')).toMatchObject({expected: true, code: 0})
    await driver.stop('ins_life') // idempotent

    // Restart keeps the key pair (it lives in the vault under the same data key).
    const first = (await agentRequest(target, 'GET', '/pubkey').catch(() => undefined))?.status
    expect(first).toBeUndefined() // not running: the socket is gone
    await driver.start('ins_life', init)
    const pubA = (await agentRequest(target, 'GET', '/pubkey')).body
    await driver.stop('ins_life')
    await driver.start('ins_life', init)
    expect((await agentRequest(target, 'GET', '/pubkey')).body).toEqual(pubA)

    await driver.destroy('ins_life')
    expect(existsSync(dir)).toBe(false)
    expect(await driver.status('ins_life')).toBe('missing')
    await driver.destroy('ins_life') // idempotent
  })

  it.skipIf(skip)('listens on a 0600 socket in a 0700 directory and refuses calls without the secret', async () => {
    const {driver} = fx
    await driver.create('ins_sock')
    const init = newStartInit()
    await driver.start('ins_sock', init)
    const {socketPath, secretHeader} = driver.connect('ins_sock')
    expect(secretHeader).toBe('x-clawd-instance-secret')
    expect(statSync(socketPath).isSocket()).toBe(true)
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
    expect(statSync(join(socketPath, '..')).mode & 0o777).toBe(0o700)
    expect((await agentRequest({socketPath}, 'GET', '/health')).status).toBe(401)
    expect((await agentRequest({socketPath, secret: 'not-the-secret-at-all'}, 'GET', '/pubkey')).status).toBe(401)
    expect((await agentRequest({socketPath, secret: init.secret}, 'GET', '/pubkey')).status).toBe(200)
    await driver.destroy('ins_sock')
  })

  it.skipIf(skip)('keeps the data key and the secret out of argv and the environment, and off the disk', async () => {
    const {driver} = fx
    await driver.create('ins_leak')
    const init = newStartInit()
    const {pid} = await driver.start('ins_leak', init)
    const needles = [init.secret, init.dataKey.toString('base64'), init.dataKey.toString('hex'), init.dataKey.toString('base64url')]
    for (const file of ['cmdline', 'environ']) {
      const text = readFileSync(`/proc/${pid}/${file}`).toString('latin1')
      for (const needle of needles) expect(text.includes(needle), `${file} holds a secret`).toBe(false)
    }
    const environ = readFileSync(`/proc/${pid}/environ`).toString().split('\0').filter(Boolean)
    expect(environ.map((e) => e.split('=')[0]).filter((n) => n !== 'PWD').sort()).toEqual(['HOME', 'LANG', 'PATH'])

    // The private key exists on disk only encrypted: open the vault as the agent would to learn it,
    // then grep every byte under the instance directory for it and for the data key.
    const stored = (await (await Vault.open(driver.instanceDir('ins_leak'), init.dataKey)).readJson<{private_key: string; kid: string}>(KEYPAIR_ENTRY))!
    const privateKey = Buffer.from(stored.private_key, 'base64url')
    const disk = allBytes(driver.instanceDir('ins_leak'))
    for (const needle of [privateKey, Buffer.from(stored.private_key), Buffer.from(stored.kid), init.dataKey, ...needles.map((n) => Buffer.from(n))]) {
      expect(disk.includes(needle)).toBe(false)
    }
    await driver.destroy('ins_leak')
  })

  it.skipIf(skip)('detects a crash: kill -9 → stopped, with an unexpected exit event', async () => {
    const {driver} = fx
    await driver.create('ins_crash')
    const {pid} = await driver.start('ins_crash', newStartInit())
    process.kill(pid, 'SIGKILL')
    expect(await eventually(async () => (await driver.status('ins_crash')) === 'stopped')).toBe(true)
    const exit = exits.find((e) => e.id === 'ins_crash')?.exit
    expect(exit).toMatchObject({expected: false, signal: 'SIGKILL', code: null})
    expect(driver.lastExit('ins_crash')).toEqual(exit)
    // It can be started again.
    const init = newStartInit()
    await driver.start('ins_crash', init)
    expect((await agentRequest({socketPath: driver.connect('ins_crash').socketPath, secret: init.secret}, 'GET', '/health')).status).toBe(200)
    await driver.destroy('ins_crash')
  })

  it.skipIf(skip)('bounds memory outside the heap with RLIMIT_DATA (same launch as the agent)', async () => {
    const {driver} = fx
    await driver.create('ins_mem')
    // memoryLimitMb is 128: the data limit is 128 + 768 MB; try to take 2 GB in 64 MB Buffers.
    // Each step prints, so a process that never ran cannot pass.
    const script = `let n=0;const keep=[];try{for(;n<32;n++){keep.push(Buffer.alloc(64<<20,1));console.log(n*64+64)}}catch(e){console.log('refused')}`
    const result = await run(driver.launchSpec('ins_mem', [process.execPath, '-e', script]), 30_000)
    const lines = result.stdout.trim().split('\n')
    const reached = Math.max(0, ...lines.map(Number).filter(Number.isFinite))
    expect(reached, `stdout ${result.stdout} stderr ${result.stderr}`).toBeGreaterThanOrEqual(64)
    expect(reached).toBeLessThan(1024)
    // Either the allocation was refused in JS, or the process died of it: never all 2 GB.
    expect(lines.at(-1) === 'refused' || result.code !== 0).toBe(true)
    await driver.destroy('ins_mem')
  })
})

describe('local driver failures (plain processes)', () => {
  let fx: DriverFixture
  afterAll(async () => {
    await fx?.dispose()
  })

  it('rejects a start whose agent dies, with its last stderr lines', async () => {
    const entry = join((await import('node:os')).tmpdir(), `clawd-bad-agent-${process.pid}.mjs`)
    writeFileSync(entry, `process.stderr.write('config is broken: missing widget\\n'); process.exit(3)\n`)
    fx = await makeDriver({agentEntry: entry})
    await fx.driver.create('ins_bad')
    await expect(fx.driver.start('ins_bad', newStartInit())).rejects.toThrow(/exited during start-up \(exit code 3\)[\s\S]*missing widget/)
    expect(await fx.driver.status('ins_bad')).toBe('stopped')
  })

  it('rejects a start that never becomes healthy, and kills it', async () => {
    const entry = join((await import('node:os')).tmpdir(), `clawd-mute-agent-${process.pid}.mjs`)
    writeFileSync(entry, `console.error('pid:' + process.pid); setInterval(() => {}, 1000)\n`)
    const mute = await makeDriver({agentEntry: entry, startTimeoutMs: 800})
    try {
      await mute.driver.create('ins_mute')
      const error = (await mute.driver.start('ins_mute', newStartInit()).catch((e: Error) => e)) as Error
      expect(error.message).toMatch(/did not answer its health check within 800 ms/)
      const pid = Number(/pid:(\d+)/.exec(error.message)?.[1])
      expect(pid).toBeGreaterThan(0)
      expect(await eventually(() => !processAlive(pid))).toBe(true)
      expect(await mute.driver.status('ins_mute')).toBe('stopped')
    } finally {
      await mute.dispose()
    }
  })

  it('escalates to SIGKILL when the agent ignores SIGTERM', async () => {
    const entry = join((await import('node:os')).tmpdir(), `clawd-stubborn-agent-${process.pid}.mjs`)
    // Speaks just enough of the protocol to look healthy, then ignores SIGTERM.
    writeFileSync(
      entry,
      `import http from 'node:http'
      process.on('SIGTERM', () => {})
      let line = ''
      process.stdin.on('data', (d) => {
        line += d
        if (!line.includes('\\n')) return
        const init = JSON.parse(line)
        http.createServer((q, s) => s.end('{}')).listen(init.socket)
      })\n`,
    )
    const stubborn = await makeDriver({agentEntry: entry, stopTimeoutMs: 300})
    const exits: InstanceExit[] = []
    stubborn.driver.onExit((_, e) => exits.push(e))
    try {
      await stubborn.driver.create('ins_stub')
      const {pid} = await stubborn.driver.start('ins_stub', newStartInit())
      await stubborn.driver.stop('ins_stub')
      expect(processAlive(pid)).toBe(false)
      expect(exits[0]).toMatchObject({signal: 'SIGKILL', expected: true})
    } finally {
      await stubborn.dispose()
    }
  })

  it('refuses ids that are not safe path segments', async () => {
    const f = await makeDriver()
    try {
      await expect(f.driver.create('../escape')).rejects.toThrow(/not a valid instance id/)
      expect(() => f.driver.connect('a/b')).toThrow(/not a valid instance id/)
    } finally {
      await f.dispose()
    }
  })
})

describe.each([
  {sandbox: 'none' as const, skip: undefined},
  {sandbox: 'bwrap' as const, skip: bwrap.ok ? undefined : `bwrap is not usable here: ${bwrap.reason}`},
])('agents do not outlive the server ($sandbox)', ({sandbox, skip}) => {
  it.skipIf(skip)('a SIGKILLed server takes its agents with it', async () => {
    const fx = await makeDriver({sandbox})
    try {
      // A separate "server" process that starts one agent and prints its pid.
      const script = `
        import {createLocalDriver} from ${JSON.stringify(new URL('../../dist/src/runtime/local-driver.js', import.meta.url).href)}
        import {randomBytes} from 'node:crypto'
        const d = await createLocalDriver({dataDir: ${JSON.stringify(fx.dataDir)}, sandbox: '${sandbox}', memoryLimitMb: 128, egressAllow: []})
        await d.create('ins_orphan')
        const s = await d.start('ins_orphan', {dataKey: randomBytes(32), secret: randomBytes(24).toString('base64url'), config: {}})
        console.log('pid', s.pid)
        setInterval(() => {}, 1000)
      `
      const server = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
      const pid = await new Promise<number>((resolve, reject) => {
        let out = ''
        server.stdout.on('data', (d) => {
          out += d
          const m = /pid (\d+)/.exec(out)
          if (m) resolve(Number(m[1]))
        })
        server.once('exit', (code) => reject(new Error(`server exited ${code}`)))
      })
      expect(processAlive(pid)).toBe(true)
      server.kill('SIGKILL')
      expect(await eventually(() => !processAlive(pid), 10_000)).toBe(true)
    } finally {
      await fx.dispose()
    }
  })
})
