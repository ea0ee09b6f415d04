import {execFileSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, statfsSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {expectProblem, type Answer} from '../security/http.js'
import {putKey} from '../security/world.js'
import {runningInstance, startFaulty, type Faulty} from './support.js'

/** Mounting needs root (CAP_SYS_ADMIN); find out once, with a mount that is undone at once. */
function mountUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs mounts are a Linux test'
  const probe = mkdtempSync(join(tmpdir(), 'clawd-mnt-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], {stdio: 'pipe', timeout: 10_000})
    execFileSync('umount', [probe], {stdio: 'pipe', timeout: 10_000})
    return undefined
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}); run as root to test a full disk`
  } finally {
    rmSync(probe, {recursive: true, force: true})
  }
}
const skipReason = mountUnavailable()

/**
 * A full disk under one instance: its directory is moved onto a small tmpfs of its own, which is
 * then filled. Writes into that instance fail with a clear problem (not a hang, not a crash), the
 * server and the other instances carry on, and once space is freed the instance works again.
 */
describe.skipIf(skipReason)(`a full disk under an instance${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let f: Faulty
  let full: {id: string; dir: string}
  let other: string
  let mounted = false

  beforeAll(async () => {
    f = await startFaulty([])
    const a = await f.api('POST', '/v1/instances', {body: {name: 'cramped'}})
    const b = await f.api('POST', '/v1/instances', {body: {name: 'roomy'}})
    expect(a.status, a.text).toBe(202)
    expect(b.status, b.text).toBe(202)
    other = b.body.id
    await runningInstance(f, a.body.id)
    await runningInstance(f, other)
    full = {id: a.body.id, dir: join(f.server.dataDir, 'instances', a.body.id)}

    // Paused, its files are at rest: move them onto a 16 MiB tmpfs mounted at the same path.
    expect((await f.api('POST', `/v1/instances/${full.id}/pause`)).status).toBe(202)
    for (let i = 0; i < 100 && (await f.api('GET', `/v1/instances/${full.id}`)).body.state !== 'paused'; i++) await new Promise((r) => setTimeout(r, 100))
    const aside = `${full.dir}.aside`
    renameSync(full.dir, aside)
    mkdirSync(full.dir, {mode: 0o700})
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', full.dir], {stdio: 'pipe', timeout: 10_000})
    mounted = true
    cpSync(aside, full.dir, {recursive: true, preserveTimestamps: true})
    rmSync(aside, {recursive: true, force: true})
    await runningInstance(f, full.id)
  }, 120_000)

  afterAll(async () => {
    await f?.stop().catch(() => {})
    if (mounted) {
      try {
        execFileSync('umount', [full.dir], {stdio: 'pipe', timeout: 10_000})
      } catch {
        execFileSync('umount', ['-l', full.dir], {stdio: 'pipe', timeout: 10_000})
      }
    }
  })

  /** Fills the instance's filesystem to the last block. */
  function fill(): string {
    const filler = join(full.dir, 'filler')
    const free = statfsSync(full.dir).bavail * statfsSync(full.dir).bsize
    try {
      writeFileSync(filler, Buffer.alloc(free + 4096))
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC')
    }
    expect(statfsSync(full.dir).bavail).toBe(0)
    return filler
  }

  // \b: "workspace" is not a word about space.
  const SAYS_WHY = /\bspace\b|\bfull\b|\bdisk\b|storage/i
  /** Checks the answer is a problem; returns a line when it does not say what ran out. */
  const unclear = (res: Answer, what: string): string[] => {
    expectProblem(res, (s) => s >= 400, what)
    const said = `${res.body.detail} ${res.body.hint ?? ''}`
    return SAYS_WHY.test(said) ? [] : [`${what}: ${res.status} ${said}`]
  }

  it('writes into the full instance fail with a clear problem; the server and the other instance carry on', async () => {
    const sid = (await f.api('POST', `/v1/instances/${full.id}/sessions`, {body: {}})).body.id as string
    const filler = fill()
    try {
      const attempts: Array<[string, Answer]> = [
        ['create a session', await f.api('POST', `/v1/instances/${full.id}/sessions`, {body: {}, timeoutMs: 30_000})],
        ['send a message', await f.api('POST', `/v1/instances/${full.id}/sessions/${sid}/messages`, {body: {content: 'x'.repeat(10_000)}, timeoutMs: 30_000})],
        ['push the workspace', await f.api('PUT', `/v1/instances/${full.id}/workspace`, {body: {files: [{path: 'SOUL.md', content: '# ' + 'y'.repeat(100_000) + '\n'}]}, timeoutMs: 30_000})],
      ]
      const key = await putKey(f.server, f.user.accessToken, full.id, 'anthropic', 'sk-ant-disk-full-0123456789').catch((e: Error) => e)
      expect(key, 'keys set into a full instance').toBeInstanceOf(Error)
      const vague = attempts.flatMap(([what, res]) => unclear(res, what))
      if (!SAYS_WHY.test((key as Error).message)) vague.push(`keys set: ${(key as Error).message}`)

      // The server and the other instance are fine.
      expect((await f.api('GET', '/healthz')).status).toBe(200)
      expect(f.server.child.exitCode).toBeNull()
      const sid2 = (await f.api('POST', `/v1/instances/${other}/sessions`, {body: {}})).body.id
      const answer = await f.api('POST', `/v1/instances/${other}/sessions/${sid2}/messages`, {body: {content: 'still there?'}, timeoutMs: 60_000})
      expect(answer.text).toContain('message.end')
      // Reading the full instance still works.
      expect((await f.api('GET', `/v1/instances/${full.id}/sessions/${sid}`)).status).toBe(200)
      expect(vague, 'answers that do not say the instance ran out of space').toEqual([])
    } finally {
      rmSync(filler, {force: true})
    }
  })

  it('once space is freed the instance works again', async () => {
    await runningInstance(f, full.id)
    const sid = (await f.api('POST', `/v1/instances/${full.id}/sessions`, {body: {}})).body.id
    const answer = await f.api('POST', `/v1/instances/${full.id}/sessions/${sid}/messages`, {body: {content: 'room again'}, timeoutMs: 60_000})
    expect(answer.status, answer.text).toBe(200)
    expect(answer.text).toContain('message.end')
    const pushed = await f.api('PUT', `/v1/instances/${full.id}/workspace`, {body: {files: [{path: 'SOUL.md', content: '# Soul\n'}]}})
    expect(pushed.status, pushed.text).toBe(200)
  })
})
