#!/usr/bin/env node
/**
 * Installs the real OpenClaw (`openclaw`, pinned) into a cache directory OUTSIDE the repository,
 * for the conformance suite (test/conformance/). It is 600+ MB, so it is never one of the
 * project's dependencies. Install scripts are skipped: the suite only imports OpenClaw's modules.
 *
 *   node scripts/install-openclaw.mjs        # prints the package directory
 *
 * Env: CLAWD_OPENCLAW_CACHE overrides the cache root (default ~/.cache/clawd-openclaw).
 * Exit codes: 0 installed (or already there); 3 the registry is unreachable; 1 anything else.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const OPENCLAW_VERSION = '2026.9.6'

export function openclawCacheDir(version = OPENCLAW_VERSION) {
  return join(process.env.CLAWD_OPENCLAW_CACHE ?? join(homedir(), '.cache', 'clawd-openclaw'), version)
}

export function openclawPackageDir(version = OPENCLAW_VERSION) {
  return join(openclawCacheDir(version), 'node_modules', 'openclaw')
}

/** The installed version, or undefined when missing or another version. */
export function installedVersion(version = OPENCLAW_VERSION) {
  const manifest = join(openclawPackageDir(version), 'package.json')
  if (!existsSync(manifest)) return undefined
  try {
    const v = JSON.parse(readFileSync(manifest, 'utf8')).version
    // A half-finished install leaves package.json without dist/.
    return existsSync(join(openclawPackageDir(version), 'dist')) ? v : undefined
  } catch {
    return undefined
  }
}

function run(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn('npm', args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, npm_config_update_notifier: 'false'}})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, out, err})
    })
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({code: -1, signal: null, out, err: String(error)})
    })
  })
}

/** npm's own error lines (its code and message), not the advice and log path that follow them. */
function summary(result) {
  const lines = `${result.err}\n${result.out}`.split('\n').map((l) => l.replace(/^npm (?:error|ERR!) ?/, '').trim())
  const useful = lines.filter((l) => l && !/^(If you are behind a proxy|A complete log of this run|See: 'npm help)/.test(l))
  return useful.slice(0, 4).join(' ') || (result.signal ? `stopped by ${result.signal}` : `exit ${result.code}`)
}

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up|fetch failed/i

/**
 * Makes sure the pinned package is installed. Resolves to {ok: true, dir} or, only when the
 * registry cannot be reached, {ok: false, unreachable: true, reason}. Any other failure throws:
 * the suite must fail, not skip, when the install itself is broken.
 */
export async function ensureOpenClaw(version = OPENCLAW_VERSION) {
  if (installedVersion(version) === version) return {ok: true, dir: openclawPackageDir(version)}
  const probe = await run(['view', `openclaw@${version}`, 'version', '--json'], 60_000)
  if (probe.code !== 0) {
    const why = summary(probe)
    if (probe.signal || NETWORK_ERROR.test(`${probe.err}${probe.out}`)) return {ok: false, unreachable: true, reason: `npm view openclaw@${version} failed: ${why}`}
    throw new Error(`npm view openclaw@${version} failed: ${why}`)
  }
  const cache = openclawCacheDir(version)
  mkdirSync(cache, {recursive: true})
  const install = await run(['install', '--prefix', cache, `openclaw@${version}`, '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', '--loglevel=error'], 15 * 60_000)
  if (install.code !== 0 || installedVersion(version) !== version) {
    const why = summary(install)
    if (NETWORK_ERROR.test(`${install.err}${install.out}`)) return {ok: false, unreachable: true, reason: `npm install openclaw@${version} failed: ${why}`}
    throw new Error(`npm install openclaw@${version} into ${cache} failed (${install.signal ?? install.code}): ${why}`)
  }
  return {ok: true, dir: openclawPackageDir(version)}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureOpenClaw().then(
    (result) => {
      if (result.ok) {
        console.log(result.dir)
        return
      }
      console.error(`OpenClaw ${OPENCLAW_VERSION} not installed: ${result.reason}`)
      process.exit(3)
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    },
  )
}
