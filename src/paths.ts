import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * The package root, found by walking up from this file. Code runs both from `dist/` (built) and
 * from `src/` (vitest), so paths to shipped assets (migrations, the agent entry) start here.
 */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('clawd: package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  return dir
})()

/** The built JavaScript for a source module path such as `src/agent/main.ts`. */
export function builtPath(sourceRelative: string): string {
  return join(packageRoot, 'dist', sourceRelative.replace(/\.ts$/, '.js'))
}
