#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads: it is the one call scripts make in a
// loop, and loading the framework would triple its cold start.
import {readFileSync} from 'node:fs'
import module from 'node:module'

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`clawd/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // Node caches the compiled code of every module it loads, so each later run skips parsing
  // oclif, undici and zod again (the cache lives in the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1
  // turns it off).
  module.enableCompileCache?.()
  // The update notice (@oclif/plugin-warn-if-update-available) is for a person at a terminal: not
  // in CI, not with --json, not when stderr is a pipe. Skipping it also skips its registry check.
  const ci = process.env.CI && process.env.CI !== '0' && process.env.CI.toLowerCase() !== 'false'
  if (ci || process.env.GITHUB_ACTIONS || process.env.BUILD_NUMBER || args.includes('--json') || !process.stderr.isTTY) {
    process.env.CLAWD_SKIP_NEW_VERSION_CHECK = 'true'
  }
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
