import {chmodSync, chownSync, copyFileSync, existsSync, linkSync, readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {packageRoot} from '../../src/paths.js'
import {afterAll, describe, expect, it} from 'vitest'
import {newUser} from '../helpers/auth.js'
import {type ServerProcess, startServerProcess} from '../helpers/server.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * The embedded store is a real PostgreSQL cluster that `clawd server start` owns: under
 * <data-dir>/pg, on a unix socket only, never as root, stopped on SIGTERM, and recovered after the
 * server is killed with SIGKILL.
 */

/** Host pids of processes whose command line names this data dir's cluster. */
function clusterProcesses(dataDir: string): Array<{pid: number; uid: number}> {
  const found: Array<{pid: number; uid: number}> = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (!argv.includes(join(dataDir, 'pg', 'data'))) continue
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))![1])
      found.push({pid: Number(entry), uid})
    } catch {}
  }
  return found
}

/** Socket inodes a process holds, matched against TCP sockets in LISTEN state. */
function tcpListeners(pid: number): string[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1]!)
    } catch {}
  }
  const listening: string[] = []
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === '0A' && inodes.has(cols[9]!)) listening.push(cols[1]!)
    }
  }
  return listening
}

async function health(url: string): Promise<{status: string; store: string}> {
  return (await fetch(`${url}/healthz`)).json() as Promise<{status: string; store: string}>
}

async function waitGone(dataDir: string): Promise<void> {
  while (clusterProcesses(dataDir).length > 0) await new Promise((r) => setTimeout(r, 50))
}

const isRoot = process.getuid?.() === 0
const NOBODY = {uid: 65534, gid: 65534}

/** Whether `nobody` may pass through every directory above `path` (it has only the "other" bits). */
function reachableByOthers(path: string): boolean {
  for (let at = dirname(path); ; at = dirname(at)) {
    if (!(statSync(at).mode & 0o001)) return false
    if (at === dirname(at)) return true
  }
}

/**
 * As root the suite also runs the server as `nobody`, which needs a node binary and the package
 * where it may reach them: node often lives under root's 0700 home, so a hard link (or copy) of it
 * goes into a temp dir.
 */
function nodeForNobody(dir: string): string | undefined {
  if (!reachableByOthers(packageRoot + '/')) return undefined
  const target = join(dir, 'node')
  try {
    linkSync(process.execPath, target)
  } catch {
    copyFileSync(process.execPath, target)
  }
  chmodSync(target, 0o755)
  return target
}
const nodeDir = tempDir('clawd-node-')
chmodSync(nodeDir.path, 0o755)
const nobodyNode = isRoot ? nodeForNobody(nodeDir.path) : undefined
afterAll(() => nodeDir.dispose())
const who = isRoot ? (nobodyNode ? ['root', 'a normal user'] : ['root']) : ['a normal user']
if (isRoot && !nobodyNode) console.warn(`SKIPPED: the embedded store as a normal user: ${packageRoot} is not reachable by nobody`)

describe.each(who)('the embedded PostgreSQL, server run by %s', (who) => {
  const dir = tempDir('clawd-emb-')
  const asUser = who === 'a normal user' && isRoot ? NOBODY : undefined
  if (asUser) chownSync(dir.path, asUser.uid, asUser.gid)
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop()
    await waitGone(dir.path)
    dir.dispose()
  })

  it('starts under <data-dir>/pg, says so, and listens on no TCP port', async () => {
    server = await startServerProcess({dataDir: dir.path, user: asUser, node: asUser ? nobodyNode : undefined, env: asUser ? {HOME: nodeDir.path} : undefined})
    expect(server.output()).toContain(`store: embedded PostgreSQL in ${join(dir.path, 'pg')}`)
    expect(await health(server.url)).toEqual({status: 'ok', store: 'embedded'})
    const procs = clusterProcesses(dir.path)
    expect(procs.length).toBeGreaterThan(0)
    for (const p of procs) expect(tcpListeners(p.pid)).toEqual([])
    expect(existsSync(join(dir.path, 'pg', 'sock', '.s.PGSQL.5432'))).toBe(true)
    expect(statSync(join(dir.path, 'pg', 'sock')).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir.path, 'pg', 'data')).mode & 0o777).toBe(0o700)
  }, 120_000)

  it('never runs PostgreSQL as root', () => {
    const procs = clusterProcesses(dir.path)
    for (const p of procs) expect(p.uid).not.toBe(0)
    if (asUser) for (const p of procs) expect(p.uid).toBe(asUser.uid)
    if (who === 'root') {
      // Only the cluster's service user's group may pass through the data dir, and only pass.
      const st = statSync(dir.path)
      expect(st.mode & 0o777).toBe(0o710)
      expect(st.gid).toBe(statSync(join(dir.path, 'pg', 'data')).gid)
    }
  })

  it('stops the cluster cleanly on SIGTERM', async () => {
    expect(await server!.stop()).toBe(0)
    await waitGone(dir.path)
    expect(existsSync(join(dir.path, 'pg', 'data', 'postmaster.pid'))).toBe(false)
    server = undefined
  }, 120_000)

  it('after a SIGKILL of the server, the next start stops the orphaned postmaster, recovers, and keeps acknowledged writes', async () => {
    server = await startServerProcess({dataDir: dir.path, user: asUser, node: asUser ? nobodyNode : undefined, env: asUser ? {HOME: nodeDir.path} : undefined})
    // An acknowledged write: the account exists once the admin route answered 201.
    const user = await newUser({url: server.url, adminSocket: join(dir.path, 'admin.sock')})
    const orphans = clusterProcesses(dir.path)
    await server.kill()
    // The cluster lives in its own process group, so it outlives the killed server.
    expect(clusterProcesses(dir.path).map((p) => p.pid)).toEqual(expect.arrayContaining(orphans.map((p) => p.pid)))
    expect(existsSync(join(dir.path, 'pg', 'data', 'postmaster.pid'))).toBe(true)

    server = await startServerProcess({dataDir: dir.path, user: asUser, node: asUser ? nobodyNode : undefined, env: asUser ? {HOME: nodeDir.path} : undefined})
    for (const old of orphans) expect(clusterProcesses(dir.path).map((p) => p.pid)).not.toContain(old.pid)
    const me = await fetch(`${server.url}/v1/me`, {headers: {authorization: `Bearer ${user.accessToken}`}})
    expect(me.status).toBe(200)
    expect(((await me.json()) as {email: string}).email).toBe(user.email)
  }, 180_000)

  it('starts when postmaster.pid is stale (its process is gone)', async () => {
    await server!.kill()
    for (const p of clusterProcesses(dir.path)) process.kill(p.pid, 'SIGKILL')
    await waitGone(dir.path)
    expect(existsSync(join(dir.path, 'pg', 'data', 'postmaster.pid'))).toBe(true)
    server = await startServerProcess({dataDir: dir.path, user: asUser, node: asUser ? nobodyNode : undefined, env: asUser ? {HOME: nodeDir.path} : undefined})
    expect(await health(server.url)).toEqual({status: 'ok', store: 'embedded'})
  }, 180_000)
})

describe('a data dir the service user cannot reach', () => {
  it.runIf(isRoot)('is refused with what to do, not an unexpected error', async () => {
    const outer = tempDir('clawd-emb-closed-')
    try {
      chmodSync(outer.path, 0o700)
      await expect(startServerProcess({dataDir: join(outer.path, 'server')})).rejects.toThrow(/cannot reach[\s\S]*Hint: Use a --data-dir it can reach/)
    } finally {
      outer.dispose()
    }
  }, 120_000)
})
