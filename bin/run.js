#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads: it is the one call scripts make in a
// loop, and loading the framework would triple its cold start.
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`clawd/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
