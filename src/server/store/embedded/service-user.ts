import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

/** Whom the embedded PostgreSQL runs as: the server's own user, or a system user when root. */
export interface ServiceUser {
  uid: number
  gid: number
  name: string
}

/**
 * PostgreSQL refuses to run as root. A server started as root (containers, CI) runs the embedded
 * cluster as this unprivileged system user instead, made once with useradd. It owns only the
 * cluster's directory; it has no login shell and no home.
 */
export const POSTGRES_SERVICE_USER = 'clawd-postgres'

export function postgresServiceUser(): ServiceUser | undefined {
  if (process.getuid?.() !== 0) return undefined
  const found = lookupUser(POSTGRES_SERVICE_USER)
  if (found) return found
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_SERVICE_USER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (error) {
    // Another server made it at the same moment: fine, as long as it exists now.
    const raced = lookupUser(POSTGRES_SERVICE_USER)
    if (raced) return raced
    const stderr = String((error as {stderr?: Buffer}).stderr ?? '').trim()
    throw new Error(
      `PostgreSQL does not run as root, and the system user ${POSTGRES_SERVICE_USER} could not be made (${stderr || (error as Error).message}). ` +
        `Create it (useradd --system --user-group ${POSTGRES_SERVICE_USER}), run the server as a normal user, or give it --database-url.`,
    )
  }
  const made = lookupUser(POSTGRES_SERVICE_USER)
  if (!made) throw new Error(`useradd reported success but ${POSTGRES_SERVICE_USER} is not in /etc/passwd`)
  return made
}

function lookupUser(name: string): ServiceUser | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name) return {name, uid: Number(uid), gid: Number(gid)}
  }
  return undefined
}
