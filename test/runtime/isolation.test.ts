import {networkInterfaces} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/paths.js'
import type {EgressRecord} from '../../src/runtime/egress-proxy.js'
import {instanceUid} from '../../src/runtime/agent-launch.js'
import {run} from '../../src/runtime/sandbox.js'
import {bwrapUsable, type DriverFixture, echoServer, eventually, makeDriver, newStartInit, requireBuiltAgent} from './helpers.js'

requireBuiltAgent()
const bwrap = await bwrapUsable()
const skipReason = bwrap.ok ? undefined : `bwrap is not usable on this host (${bwrap.reason}); isolation cannot be tested`
if (skipReason) console.warn(`[isolation] skipped: ${skipReason}`)

/** A non-loopback IPv4 address of this host, if it has one. */
function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return undefined
}

/**
 * Runs inside instance A's sandbox with exactly the agent's launch arguments (driver.launchSpec):
 * what can A see and reach? The probe prints one JSON document.
 */
const PROBE = String.raw`
const fs = require('node:fs'), net = require('node:net'), dns = require('node:dns')
const [bDir, dataDir, hostPort, hostIp, echoPort, pkgHidden] = JSON.parse(process.argv[1])
const tryConnect = (opts) => new Promise((resolve) => {
  const s = net.connect(opts)
  const t = setTimeout(() => { s.destroy(); resolve('timeout') }, 3000)
  s.once('connect', () => { clearTimeout(t); s.destroy(); resolve('connected') })
  s.once('error', (e) => { clearTimeout(t); resolve(e.code || e.message) })
})
const egress = (head) => new Promise((resolve) => {
  const s = net.connect({path: '/run/clawd/egress.sock'})
  let out = ''
  s.once('error', (e) => resolve('error ' + e.code))
  s.once('connect', () => s.write(head))
  s.on('data', (d) => {
    out += d
    if (out.startsWith('HTTP/1.1 200')) {
      if (!out.includes('ping')) return s.write('ping')
      s.destroy(); return resolve(out)
    }
    if (out.includes('\r\n\r\n')) { s.destroy(); resolve(out) }
  })
})
const writable = (p) => { try { fs.writeFileSync(p, 'x'); fs.rmSync(p); return true } catch (e) { return e.code } }
;(async () => {
  const pids = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))
  const others = pids.filter((p) => Number(p) !== process.pid)
  const cmdlines = others.map((p) => { try { return fs.readFileSync('/proc/' + p + '/cmdline', 'utf8') } catch { return '' } })
  console.log(JSON.stringify({
    uid: process.getuid(),
    root: fs.readdirSync('/').sort(),
    seesB: fs.existsSync(bDir),
    seesDataDir: fs.existsSync(dataDir),
    hostFiles: ['/etc/passwd', '/etc/shadow', '/etc/hostname', '/var', '/home', '/root/.bashrc', '/sys', ...pkgHidden].filter((p) => fs.existsSync(p)),
    instance: fs.readdirSync('/instance').sort(),
    instanceWritable: writable('/instance/probe-file'),
    usrWritable: writable('/usr/probe-file'),
    pids,
    agents: cmdlines.filter((c) => c.includes('agent/main.js')).length,
    loopbackToHost: await tryConnect({host: '127.0.0.1', port: hostPort}),
    hostIp: hostIp ? await tryConnect({host: hostIp, port: hostPort}) : 'no-host-ip',
    dns: await new Promise((r) => dns.lookup('example.com', (e, a) => r(e ? e.code : a))),
    interfaces: Object.keys(require('node:os').networkInterfaces()),
    env: Object.keys(process.env).filter((k) => k !== 'PWD').sort(),
    allowed: await egress('CONNECT 127.0.0.1:' + echoPort + ' HTTP/1.1\r\n\r\n'),
    refused: await egress('CONNECT example.com:443 HTTP/1.1\r\n\r\n'),
    refusedPlain: await egress('GET http://10.0.0.1:8080/ HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n\r\n'),
  }))
})()
`

describe.skipIf(skipReason)('isolation under bwrap', () => {
  let fx: DriverFixture
  let echo: Awaited<ReturnType<typeof echoServer>>
  const records: EgressRecord[] = []
  let probe: Record<string, unknown>
  let agentPids: {a: number; b: number}

  beforeAll(async () => {
    echo = await echoServer()
    fx = await makeDriver({sandbox: 'bwrap', egressAllow: [`127.0.0.1:${echo.port}`]})
    fx.driver.onEgress((r) => records.push(r))
    await fx.driver.create('ins_a')
    await fx.driver.create('ins_b')
    agentPids = {
      a: (await fx.driver.start('ins_a', newStartInit())).pid,
      b: (await fx.driver.start('ins_b', newStartInit())).pid,
    }
    // Of the package, only package.json, dist/ and node_modules/ are mounted: not its sources or .git.
    const pkgHidden = ['src', 'test', '.git', 'README.md'].map((p) => join(packageRoot, p))
    const args = JSON.stringify([fx.driver.instanceDir('ins_b'), fx.dataDir, echo.port, hostAddress() ?? null, echo.port, pkgHidden])
    const result = await run(fx.driver.launchSpec('ins_a', [process.execPath, '-e', PROBE, args]), 30_000)
    if (result.code !== 0) throw new Error(`the probe failed (exit ${result.code}): ${result.stderr}`)
    probe = JSON.parse(result.stdout) as Record<string, unknown>
  })
  afterAll(async () => {
    await fx?.dispose()
    await echo?.close()
  })

  it('runs the probe as an unprivileged user with an empty environment', () => {
    if (fx.driver.isolation.namespaces.includes('user')) expect(probe.uid).toBe(1000)
    // A root server never gives an instance host uid 0: it runs as its own unprivileged uid.
    if (process.getuid?.() === 0) expect(probe.uid).toBe(instanceUid('ins_a'))
    expect(probe.uid).not.toBe(0)
    expect(probe.env).toEqual(['HOME', 'LANG', 'PATH'])
  })

  it("sees only its own directory and a read-only runtime: not B's directory, not the data dir", () => {
    expect(probe.seesB).toBe(false)
    expect(probe.seesDataDir).toBe(false)
    expect(probe.hostFiles).toEqual([])
    expect(probe.root).toEqual(expect.arrayContaining(['instance', 'usr', 'proc', 'tmp']))
    expect(probe.instance).toEqual(expect.arrayContaining(['agent.sock', 'vault']))
    expect(probe.instanceWritable).toBe(true)
    expect(probe.usrWritable).toBe('EROFS')
  })

  it("sees no other process: neither B's agent nor its own instance's agent", () => {
    expect(probe.pids).toEqual(['1'])
    expect(probe.agents).toBe(0)
    // Both agents run on the host all the while.
    expect(agentPids.a).not.toBe(agentPids.b)
  })

  it('has no network route out: only loopback, which is its own', () => {
    expect(probe.interfaces).toEqual(['lo'])
    expect(probe.loopbackToHost).toBe('ECONNREFUSED')
    if (probe.hostIp !== 'no-host-ip') expect(probe.hostIp).toMatch(/ENETUNREACH|EHOSTUNREACH|timeout/)
    expect(probe.dns).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  })

  it('reaches an allowed host through the egress proxy, and is refused (403) elsewhere, each logged', async () => {
    expect(probe.allowed).toMatch(/^HTTP\/1\.1 200 [\s\S]*ping$/)
    expect(probe.refused).toMatch(/^HTTP\/1\.1 403 /)
    expect(probe.refusedPlain).toMatch(/^HTTP\/1\.1 403 /)
    expect(await eventually(() => records.some((r) => r.allowed && r.port === echo.port && r.bytesIn === 4))).toBe(true)
    expect(records).toContainEqual(expect.objectContaining({instanceId: 'ins_a', host: 'example.com', port: 443, allowed: false, status: 403}))
    expect(records).toContainEqual(expect.objectContaining({instanceId: 'ins_a', kind: 'http', host: '10.0.0.1', port: 8080, allowed: false}))
    expect(records.every((r) => r.instanceId === 'ins_a')).toBe(true)
  })
})
