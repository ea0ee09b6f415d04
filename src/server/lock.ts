import {closeSync, openSync, readFileSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Another clawd server (pid ${pid}) is already using ${dataDir}.`)
  }
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * An exclusive lock on a data dir: its embedded cluster, instances and sockets belong to one
 * server process. O_EXCL makes taking it atomic; a lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): {release(): void} {
  const path = join(dataDir, 'server.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return {
        release() {
          try {
            if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path)
          } catch {}
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(readFileSync(path, 'utf8'))
      if (pid && pid !== process.pid && processAlive(pid)) throw new DataDirBusyError(dataDir, pid)
      unlinkSync(path)
    }
  }
  throw new Error(`could not lock ${dataDir}`)
}
