import {homedir} from 'node:os'
import {join} from 'node:path'

/** Where `server start` keeps its data unless told: $CLAWD_DATA_DIR, else the XDG data home. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAWD_DATA_DIR) return env.CLAWD_DATA_DIR
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'clawd', 'server')
}
