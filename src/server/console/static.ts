import {readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import type {FastifyInstance, FastifyReply} from 'fastify'
import {builtPath, packageRoot} from '../../paths.js'
import {ApiError} from '../errors.js'

/**
 * The console's script modules, all served from the package itself (no CDN, no inline script):
 *
 *   /assets/console/NAME.js          our page scripts (src/server/console/client/)
 *   /assets/lib/crypto/NAME.js       the built byok-aad, byok-suite and kid modules: the very code
 *                                    the CLI seals with, so the AAD and `info` cannot drift
 *   /assets/lib/sse/parser.js        the built event-stream parser the CLI and the agent read with
 *   /assets/vendor/hpke-core/…       @hpke/core's ESM build, and @hpke/common's, with their bare
 *   /assets/vendor/hpke-common/…     imports rewritten to these paths (browsers cannot resolve them)
 */
export const CLIENT_DIR = join(packageRoot, 'src', 'server', 'console', 'client')
/** Built modules of ours that the browser loads too, by folder under src/ (none imports outside it). */
const SHARED_LIB: Readonly<Record<string, readonly string[]>> = {crypto: ['byok-aad', 'byok-suite', 'kid'], sse: ['parser']}
const VENDOR_PATH = '/assets/vendor'

function vendorDirs(): Record<string, string> {
  const require = createRequire(import.meta.url)
  const core = dirname(require.resolve('@hpke/core/package.json'))
  const common = dirname(createRequire(join(core, 'package.json')).resolve('@hpke/common/package.json'))
  return {'hpke-core': join(core, 'esm'), 'hpke-common': join(common, 'esm')}
}

/** Bare `@hpke/…` specifiers become our own absolute paths. */
export function rewriteImports(source: string): string {
  return source.replace(/(from\s*|import\s*\(\s*|import\s+)(["'])@hpke\/(core|common)\2/g, `$1$2${VENDOR_PATH}/hpke-$3/mod.js$2`)
}

const notFound = () => ApiError.notFound('file')

/** The .js files under `root`, as POSIX paths relative to it. */
function jsFilesUnder(root: string, rel = ''): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(root, rel), {withFileTypes: true})) {
    const path = rel ? `${rel}/${entry.name}` : entry.name
    if (entry.isDirectory()) out.push(...jsFilesUnder(root, path))
    else if (entry.isFile() && /^[A-Za-z0-9_.-]+\.js$/.test(entry.name)) out.push(path)
  }
  return out
}

export async function consoleStaticRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, string>()
  const clientFiles = new Set(readdirSync(CLIENT_DIR).filter((f) => f.endsWith('.js')))

  const send = (reply: FastifyReply, key: string, load: () => string) => {
    let body = cache.get(key)
    if (body === undefined) {
      try {
        body = rewriteImports(load())
      } catch {
        // dist/ missing (not built) or a dependency moved: a 404, never a stack.
        throw notFound()
      }
      cache.set(key, body)
    }
    return reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(body)
  }

  app.get<{Params: {file: string}}>('/assets/console/:file', async (req, reply) => {
    if (!clientFiles.has(req.params.file)) throw notFound()
    return send(reply, `console/${req.params.file}`, () => readFileSync(join(CLIENT_DIR, req.params.file), 'utf8'))
  })

  app.get<{Params: {dir: string; file: string}}>('/assets/lib/:dir/:file', async (req, reply) => {
    const {dir, file} = req.params
    const name = file.replace(/\.js$/, '')
    if (!Object.hasOwn(SHARED_LIB, dir) || !SHARED_LIB[dir]!.includes(name) || !file.endsWith('.js')) throw notFound()
    return send(reply, `${dir}/${name}`, () => readFileSync(builtPath(`src/${dir}/${name}.ts`), 'utf8'))
  })

  // One route per file of the two ESM builds, listed at start-up: no wildcard, so no path from a
  // request is ever joined onto a directory.
  for (const [pkg, root] of Object.entries(vendorDirs())) {
    for (const rel of jsFilesUnder(root)) {
      app.get(`${VENDOR_PATH}/${pkg}/${rel}`, async (_req, reply) => send(reply, `vendor/${pkg}/${rel}`, () => readFileSync(join(root, rel), 'utf8')))
    }
  }
}
