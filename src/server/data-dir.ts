import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * Where `server start` keeps its data unless told: $CLAWD_DATA_DIR, else the XDG data home. As
 * root it is /var/lib/clawd/server, a system service's place: the embedded PostgreSQL then runs as
 * its own system user, which could not pass through root's 0700 home.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAWD_DATA_DIR) return env.CLAWD_DATA_DIR
  if (process.getuid?.() === 0 && !env.XDG_DATA_HOME) return join('/var', 'lib', 'clawd', 'server')
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'clawd', 'server')
}

/** What a running server writes in its data dir: its URL and pid, for tools and tests. */
export const serverInfoFile = (dataDir: string) => join(dataDir, 'server.json')
/** The running server's admin socket, which the operator commands use. */
export const adminSocketPath = (dataDir: string) => join(dataDir, 'admin.sock')
