import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {encodeByokAad} from '../../src/crypto/byok-aad.js'
import {keyFingerprint} from '../../src/crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../../src/crypto/hpke.js'
import {newUser, type TestUser} from '../helpers/auth.js'
import {localHttpServer, type LocalHttpServer} from '../helpers/http-server.js'
import {startTestServer} from '../helpers/server.js'
import {agentPid, apiCall, instanceProcesses, waitFor} from '../instances/support.js'
import {allBytes, bwrapUsable, requireBuiltAgent} from '../runtime/helpers.js'
import {toolUid} from '../../src/runtime/agent-launch.js'
import {runTool, type TestServer} from './support.js'

requireBuiltAgent()
const asRoot = process.getuid?.() === 0
const bwrap = await bwrapUsable()
const skip = bwrap.ok ? undefined : `bwrap is not usable here (${bwrap.reason}); the tool sandbox cannot be tested`
if (skip) console.warn(`[tools] skipped: ${skip}`)

/**
 * exec in the real agent of a real instance (in-process server, bwrap driver), with a canary
 * BYOK key set on it: behaviour, write-back into the encrypted workspace, and escape attempts.
 * None may print the canary or instance B's data; each is bounded with a clear tool error, and
 * the instance answers the next call.
 */
describe.skipIf(skip)('exec in the nested tool sandbox', () => {
  let server: TestServer
  let user: TestUser
  let web: LocalHttpServer
  let a: string
  let b: string
  const canary = `sk-ant-api03-canary${randomBytes(12).toString('hex')}`
  const bSecret = `b-private-${randomBytes(8).toString('hex')}`

  const exec = (command: string, extra: Record<string, unknown> = {}) => runTool(server, a, 'exec', {command, ...extra})
  const stillUsable = async () => {
    expect(await exec('echo still-ok')).toEqual({ok: true, output: 'still-ok\n[exit code 0]'})
  }
  const noLeak = (text: string) => {
    expect(text).not.toContain(canary)
    expect(text).not.toContain(canary.slice(-24))
    expect(text).not.toContain(bSecret)
  }

  async function running(name: string): Promise<string> {
    const created = await apiCall(server.url, user, 'POST', '/v1/instances', {name, model: 'anthropic/claude-test'})
    expect(created.status, JSON.stringify(created.body)).toBe(202)
    const id = created.body.id as string
    await waitFor(`${name} running`, async () => ((await apiCall(server.url, user, 'GET', `/v1/instances/${id}`)).body.state === 'running' ? true : undefined), 60_000)
    return id
  }

  beforeAll(async () => {
    web = await localHttpServer((_req, res) => res.end('hello from the allowed host'))
    server = await startTestServer((c) => {
      c.egressAllow.push(`127.0.0.1:${web.port}`)
    })
    user = await newUser(server)
    a = await running('alpha')
    b = await running('beta')
    // The canary key, sealed to A as the CLI does; the agent opens it to check it.
    const pub = (await apiCall(server.url, user, 'GET', `/v1/instances/${a}/public-key`)).body as {kid: string; public_key: string}
    const sealed = await sealKey({
      publicKey: decodePublicKey(pub.public_key),
      kid: pub.kid,
      aad: encodeByokAad({userId: user.userId, baseUrl: '', instanceId: a, keyName: 'anthropic', version: 1}),
      plaintext: Buffer.from(canary),
    })
    const put = await apiCall(server.url, user, 'PUT', `/v1/instances/${a}/keys/anthropic`, {kid: pub.kid, ...sealed, version: 1, fingerprint: keyFingerprint(canary)})
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    // B's private data, in its workspace.
    expect((await runTool(server, b, 'write', {path: 'MEMORY.md', content: bSecret})).ok).toBe(true)
  }, 180_000)
  afterAll(async () => {
    await server?.dispose()
    await web?.close()
  })

  it('runs a command over a copy of the workspace and saves what it writes back to the encrypted store', async () => {
    const marker = `note-${randomBytes(10).toString('hex')}`
    const r = await exec(`head -1 AGENTS.md; echo "${marker}" > memory/2026-12-02.md; echo scratch > scratch.txt; id -u; pwd`)
    expect(r.ok, r.output).toBe(true)
    expect(r.output).toMatch(/^# How you work\n2000\n\/workspace\n\[exit code 0\]\n\[saved to the workspace: memory\/2026-12-02\.md\]\n\[discarded \(not workspace files, they live only for this call\): scratch\.txt\]$/)
    expect(await runTool(server, a, 'read', {path: 'memory/2026-12-02.md'})).toEqual({ok: true, output: `${marker}\n`})
    expect((await exec('ls')).output).not.toContain('scratch.txt')
    // Export sees it, and no file under the data dir holds it in clear (the plaintext was in memory only).
    const exported = await apiCall(server.url, user, 'GET', `/v1/instances/${a}/workspace`)
    expect(JSON.stringify(exported.body)).toContain(marker)
    expect(allBytes(server.dataDir).includes(Buffer.from(marker))).toBe(false)
  })

  it('honours workdir and edits, deletes, and refuses what breaks the workspace rules', async () => {
    await runTool(server, a, 'write', {path: 'memory/2026-01-01.md', content: 'old'})
    expect((await exec('pwd; rm 2026-01-01.md', {workdir: 'memory'})).output).toMatch(/^\/workspace\/memory\n/)
    expect((await runTool(server, a, 'read', {path: 'memory/2026-01-01.md'})).ok).toBe(false)
    const secret = await exec(`echo "sk-ant-api03-${'b'.repeat(90)}" >> MEMORY.md`)
    expect(secret.output).toMatch(/\[not saved: .*MEMORY\.md/)
    expect((await runTool(server, a, 'read', {path: 'MEMORY.md'})).output).not.toContain('bbbbbbbb')
    expect(await exec('true', {workdir: '../..'})).toEqual({ok: false, output: expect.stringMatching(/workdir.*inside the workspace/)})
    expect(await exec('true', {workdir: 'nope'})).toEqual({ok: false, output: expect.stringMatching(/is not a directory of the workspace/)})
  })

  it('is a different uid with no capabilities, no_new_privs and an empty environment', async () => {
    const r = await exec('id; env | sort | cut -d= -f1 | tr "\\n" " "')
    expect(r.output).toMatch(/^uid=2000 gid=2000/)
    expect(r.output).toMatch(/ALL_PROXY HOME HTTPS_PROXY HTTP_PROXY LANG PATH PWD (SHLVL )?TMPDIR http_proxy https_proxy/)
    // Seen from the host while it runs: no capability at all, no_new_privs, not root, and (when
    // the server is root) a host uid and group of its own, not the agent's.
    const agentUid = uidOf(agentPid(a)!)
    const running = exec('sleep 20', {timeout: 30})
    const pid = await waitFor('the tool process', () => sleepersOf(toolUidOf(a))[0], 15_000)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    if (asRoot) {
      expect(uidOf(pid)).not.toBe(agentUid)
      expect(status).toMatch(new RegExp(`^Gid:\\t${toolUid(a)}\\t`, 'm'))
      expect(status).toMatch(/^Groups:\s*$/m)
    }
    expect(status).toMatch(/^CapPrm:\t0+$/m)
    expect(status).toMatch(/^CapEff:\t0+$/m)
    expect(status).toMatch(/^CapBnd:\t0+$/m)
    expect(status).toMatch(/^NoNewPrivs:\t1$/m)
    expect(uidOf(pid)).not.toBe(0)
    // Its own pid namespace: it is a low pid there, not the host's.
    expect(status).toMatch(/^NSpid:\t\d+(\t\d+)*\t[1-9]\d?$/m)
    process.kill(pid, 'SIGKILL')
    await running
  }, 60_000)

  it.runIf(asRoot)('the host tool launcher refuses what an agent should never ask for', async () => {
    const socket = join(server.dataDir, 'egress', a, 'tools.sock')
    const ask = (line: string) => askLauncher(socket, line)
    const good = {call: 'call-abcdefghij', workdir: '', command: 'id -u', timeoutMs: 5000, proxyPort: null}
    for (const bad of [{call: '../../../etc'}, {call: 'call-../x'}, {workdir: '../x'}, {workdir: '/etc'}, {command: ''}, {timeoutMs: -1}, {proxyPort: 70000}]) {
      expect(JSON.parse(await ask(JSON.stringify({...good, ...bad})))).toMatchObject({failure: expect.stringMatching(/^the tool launcher refused the call/)})
    }
    expect(JSON.parse(await ask('not json'))).toMatchObject({failure: expect.stringMatching(/refused the call \(not JSON\)/)})
    // A call directory that does not exist: bwrap, as the tool uid, finds nothing to bind.
    const missing = JSON.parse(await ask(JSON.stringify(good))) as {exitCode: number; output: string}
    expect(missing.exitCode).not.toBe(0)
    await stillUsable()
  })

  it('the agent itself runs as an unprivileged host uid when the server is root', () => {
    const uid = uidOf(agentPid(a)!)
    if (process.getuid?.() === 0) {
      expect(uid).toBeGreaterThan(65535)
      expect(uidOf(agentPid(b)!)).not.toBe(uid)
    } else expect(uid).toBe(process.getuid?.())
  })

  it('cannot read any process environment or memory: cat /proc/*/environ, the agent pid’s mem', async () => {
    const hostPid = agentPid(a)!
    const r = await exec(`ls /proc 2>&1; cat /proc/*/environ 2>&1 | tr '\\0' '\\n'; for p in 1 2 ${hostPid}; do head -c 4096 /proc/$p/mem; cat /proc/$p/environ; done 2>&1; echo; kill -0 1 ${hostPid} 2>&1`)
    noLeak(r.output)
    expect(r.output).not.toMatch(/main\.js|node/)
    expect(r.output).toMatch(/^ls: cannot access '\/proc': No such file or directory\ncat: '\/proc\/\*\/environ': No such file or directory\n/)
    expect(r.output).toMatch(/kill: No such process/)
    await stillUsable()
  })

  it('ptrace of anything outside is impossible (no pid to name), and no core can be dumped', async () => {
    // PTRACE_ATTACH (x86-64 syscall 101, request 16) on the agent's host pid and on pids its own
    // pid namespace would give the agent's neighbours: none exists here.
    const r = await exec(`perl -e 'for my $p (${agentPid(a)}, 7, 100) { my $r = syscall(101, 16, $p, 0, 0); print "attach $p: $r $!\\n" }' 2>&1; ulimit -c`)
    expect(r.output).toMatch(new RegExp(`attach ${agentPid(a)}: -1 No such process`))
    expect(r.output).toMatch(/attach 7: -1 No such process\nattach 100: -1 No such process/)
    expect(r.output).toMatch(/\n0\n/)
  })

  it('grep -r over / finds no canary and nothing of another instance or the data dir', async () => {
    const r = await exec(`timeout 40 grep -rIl --exclude-dir=proc --exclude-dir=sys -e "${canary.slice(-16)}" -e "${bSecret}" / 2>/dev/null | head; echo done; echo ROOT $(ls /); ls ${server.dataDir} /instance 2>&1; cat ${join(server.dataDir, 'instances', b)}/vault/* 2>&1 | head -c 200`, {timeout: 60})
    expect(r.output).toMatch(/^done\n/)
    expect(r.output).toMatch(/No such file or directory/)
    noLeak(r.output)
    // The whole filesystem it sees: a read-only runtime, its workspace and /tmp; no /proc, no /instance.
    expect(r.output).toMatch(/\nROOT bin dev etc lib (lib64 )?sbin tmp usr workspace\n/)
  }, 90_000)

  it('reaches no port on 127.0.0.1 nor the API, only allowed hosts through the egress proxy', async () => {
    const apiPort = new URL(server.url).port
    const r = await exec(
      [
        `curl -sS --noproxy '*' -m 3 http://127.0.0.1:${apiPort}/v1/health 2>&1 | head -2`,
        `curl -sS --noproxy '*' -m 3 http://127.0.0.1:${web.port}/ 2>&1 | head -2`,
        `curl -sS -m 5 http://127.0.0.1:${web.port}/ 2>&1`,
        'echo',
        `curl -sS -m 5 -o /dev/null -w '%{http_code}' http://example.com/ 2>&1`,
        'echo',
        `curl -sS --noproxy '*' -m 3 http://1.1.1.1/ 2>&1 | head -1`,
      ].join('; '),
    )
    expect(r.output).toMatch(new RegExp(`Failed to connect to 127\\.0\\.0\\.1 port ${apiPort}`))
    expect(r.output).toMatch(new RegExp(`Failed to connect to 127\\.0\\.0\\.1 port ${web.port}`))
    expect(r.output).toContain('hello from the allowed host')
    expect(r.output).toMatch(/\n403\n/)
    expect(r.output).toMatch(/Failed to connect|unreachable|Could not resolve/i)
  })

  it('web_fetch goes out through the egress proxy: the allowed host answers, others are refused', async () => {
    expect(await runTool(server, a, 'web_fetch', {url: `http://127.0.0.1:${web.port}/`})).toEqual({ok: true, output: expect.stringContaining('hello from the allowed host')})
    const refused = await runTool(server, a, 'web_fetch', {url: 'http://example.com/'})
    expect(refused.ok).toBe(false)
    expect(refused.output).toMatch(/Status: 403|refused/)
  })

  it('a fork bomb is bounded by the process limit and the wall time, and the instance stays usable', async () => {
    const began = Date.now()
    const r = await exec('bomb() { bomb | bomb & }; bomb; sleep 3; echo survived', {timeout: 6})
    noLeak(r.output)
    expect(Date.now() - began).toBeLessThan(30_000)
    expect(r.output).toMatch(/Cannot fork|Resource temporarily unavailable|\[killed: the command ran longer than 6 s/)
    await stillUsable()
  }, 60_000)

  it('a 2 GB allocation fails inside the memory bound', async () => {
    const r = await exec('dd if=/dev/zero of=/dev/null bs=2G count=1 2>&1; python3 -c "b = bytearray(2 * 1024 ** 3)" 2>&1 | tail -1')
    expect(r.output).toMatch(/memory exhausted|Cannot allocate memory/)
    expect(r.output).toMatch(/MemoryError/)
    await stillUsable()
  })

  it('a 10 GB file hits the file size and disk bounds, and nothing of it is kept', async () => {
    const r = await exec('dd if=/dev/zero of=big.bin bs=1M count=10240 2>&1 | tail -1; dd if=/dev/zero of=/tmp/big bs=1M count=10240 2>&1 | tail -1; ls -la big.bin /tmp/big')
    expect(r.output).toMatch(/^File size limit exceeded\nFile size limit exceeded\n/)
    expect(r.output).toMatch(/-rw-(------|rw----) 1 2000 2000 67108864 .* \/tmp\/big\n/)
    expect(r.output).toMatch(/\[not saved: big\.bin \(larger than 2 MiB\)\]/)
    expect((await exec('ls big.bin 2>&1')).output).toMatch(/No such file/)
    await stillUsable()
  }, 60_000)

  it('sleep 3600 with a short timeout is killed with its whole tree, with a clear error', async () => {
    const began = Date.now()
    const r = await exec('sleep 3600 & (sleep 3600; echo never) & setsid sleep 3600 & sleep 3600', {timeout: 2})
    expect(Date.now() - began).toBeLessThan(30_000)
    expect(r).toEqual({ok: false, output: '[killed: the command ran longer than 2 s; every process it started was stopped]'})
    // No sleep of this instance's tool uid is left on the host.
    const uid = toolUidOf(a)
    const left = await waitFor('the sleeps to be gone', () => (sleepersOf(uid).length === 0 ? true : undefined), 10_000)
    expect(left).toBe(true)
    await stillUsable()
  }, 60_000)

  it('a directory the tool locks is still removed after the call, even one killed by its timeout', async () => {
    const tools = `/proc/${agentPid(a)!}/root/tools`
    const r = await exec('mkdir -p locked/x && echo hi > locked/x/f && chmod 000 locked/x locked && echo locked')
    expect(r.output).toMatch(/^locked\n\[exit code 0\]\n\[discarded/)
    const killed = await exec('mkdir -p /tmp/held/y && chmod 000 /tmp/held/y /tmp/held && mkdir -p m/z && chmod 000 m/z m && sleep 600', {timeout: 1})
    expect(killed.output).toMatch(/\[killed: the command ran longer than 1 s/)
    expect(await waitFor('no call directory left in /tools', () => (readdirSync(tools).length === 0 ? true : undefined), 15_000)).toBe(true)
    await stillUsable()
  }, 60_000)

  it('output is bounded', async () => {
    const r = await exec('yes 0123456789 | head -c 1000000')
    expect(r.output).toMatch(/\[output cut: 1000000 bytes in all, the first 65536 shown\]/)
    expect(r.output.length).toBeLessThan(70_000)
  })

  it('the agent process tree holds no leftover tool process and its instance B is untouched', async () => {
    expect(instanceProcesses(a).length).toBeGreaterThan(0)
    expect((await runTool(server, b, 'read', {path: 'MEMORY.md'})).output).toBe(bSecret)
  })
})

/** The host uid an instance's tool processes run as: their own when the server is root, else the agent's. */
function toolUidOf(id: string): number {
  return asRoot ? toolUid(id) : uidOf(agentPid(id)!)
}

function uidOf(pid: number): number {
  return Number(/^Uid:\t(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])
}

function sleepersOf(uid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8')
      if (/^Name:\tsleep$/m.test(status) && new RegExp(`^Uid:\\t${uid}\\t`, 'm').test(status)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

/** One request line to a tool launcher socket, and its whole answer. */
function askLauncher(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const socket = connect(socketPath, () => socket.write(`${line}\n`))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
  })
}
