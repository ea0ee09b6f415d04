import {readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {ensurePrivateDir} from '../kit/config.js'
import {dirname} from 'node:path'

/** A lock older than this is from a process that died mid-refresh, and is taken over. */
const STALE_MS = 15_000

export interface LockOptions {
  /** Gives up waiting after this long (longer than STALE_MS, so a stale lock is always broken first). */
  waitMs?: number
}

function ownerAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'))
    if (!Number.isInteger(pid) || pid <= 0) return false
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `fn` while holding an exclusive lock file. Two clawd processes that refresh at the same
 * time would present the same refresh token twice, which the server treats as theft and answers by
 * revoking the whole token family; so refreshes are serialised, and the caller re-reads the
 * credential after the lock is taken.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.waitMs ?? 20_000)
  ensurePrivateDir(dirname(path))
  for (;;) {
    let taken = false
    try {
      // 'wx' creates the file only if there is none (O_EXCL): that is taking the lock.
      writeFileSync(path, String(process.pid), {flag: 'wx', mode: 0o600})
      taken = true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (taken) {
      try {
        return await fn()
      } finally {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path)
        } catch {}
      }
    }
    let age = 0
    try {
      age = Date.now() - statSync(path).mtimeMs
    } catch {
      continue // released between our open and stat: try again at once
    }
    if (age > STALE_MS || (age > 1000 && !ownerAlive(path)) || Date.now() > deadline) {
      try {
        unlinkSync(path)
      } catch {}
      continue
    }
    await sleep(50)
  }
}
