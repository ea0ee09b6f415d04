// What /proc says about this machine's processes, for the memory figures (Linux only). A process
// may end while it is read: what it can no longer tell is left out.
import {readFileSync, readdirSync} from 'node:fs'

/** The pid of every process. */
export function pids() {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
}

/** Each process's parent pid. */
export function parents() {
  const parent = new Map()
  for (const pid of pids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  return parent
}

/** A process's argv, [] once it has ended. */
export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return []
  }
}

/** A process's resident memory in bytes, 0 once it has ended. */
export function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}
