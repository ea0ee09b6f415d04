// CLI start-up: wall time, CPU time and JS files loaded, against a bare oclif command, and a
// whoami round trip against a local server.
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bin, clawd, root} from '../scripts/harness.js'
import {now, row} from './stats.js'

const probe = join(root, 'bench', 'probe.js')

/** A one-command oclif CLI in a temp dir, using the project's own @oclif/core: the floor. */
function bareOclif() {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-bare-oclif-'))
  mkdirSync(join(dir, 'commands'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'bare', version: '1.0.0', type: 'module', oclif: {bin: 'bare', commands: './commands'}}))
  writeFileSync(join(dir, 'commands', 'hello.js'), "import {Command} from '@oclif/core'\nexport default class Hello extends Command { async run() { this.log('hello') } }\n")
  writeFileSync(join(dir, 'run.js'), "import {execute} from '@oclif/core'\nawait execute({dir: import.meta.url})\n")
  return {run: join(dir, 'run.js'), dispose: () => rmSync(dir, {recursive: true, force: true})}
}

/** Runs `node --import probe file ...args` `runs` times: wall ms, CPU ms, files loaded. */
function probed(file, args, env, runs) {
  const wall = []
  const cpu = []
  let files = 0
  const out = join(mkdtempSync(join(tmpdir(), 'clawd-probe-')), 'probe.json')
  for (let i = 0; i < runs; i++) {
    const t = now()
    spawnSync(process.execPath, ['--import', probe, file, ...args], {env: {...env, CLAWD_BENCH_PROBE: out}})
    wall.push(now() - t)
    const p = JSON.parse(readFileSync(out, 'utf8'))
    cpu.push(p.cpuMs)
    files = p.files
  }
  return {wall, cpu, files}
}

export async function benchCli({env, runs = 20, withServer = true}) {
  const rows = []
  const version = []
  for (let i = 0; i < runs; i++) {
    const t = now()
    spawnSync(process.execPath, [bin, '--version'], {env})
    version.push(now() - t)
  }
  rows.push(row('clawd --version (cold start)', version, 'ms', {note: 'goal < 150 ms'}))
  const bare = bareOclif()
  try {
    const floor = probed(bare.run, ['hello'], env, runs)
    rows.push(row('bare oclif command, CPU', floor.cpu, 'ms', {note: `${floor.files} JS files loaded`}))
    const noCredential = {...env, CLAWD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'clawd-nocred-')), CLAWD_TOKEN: '', CLAWD_API_URL: ''}
    const whoami = probed(bin, ['whoami'], noCredential, runs)
    const ratio = (whoami.cpu.reduce((a, b) => a + b) / floor.cpu.reduce((a, b) => a + b)).toFixed(2)
    rows.push(row('clawd whoami, no credential, CPU', whoami.cpu, 'ms', {note: `${whoami.files} JS files; ${ratio}× the bare command (aim ≤ 1.3×)`}))
    const help = probed(bin, ['--help'], env, runs)
    rows.push(row('clawd --help, CPU', help.cpu, 'ms', {note: `${help.files} JS files`}))
  } finally {
    bare.dispose()
  }
  if (!withServer) return rows
  const whoami = []
  for (let i = 0; i < Math.max(5, runs / 2); i++) {
    const t = now()
    await clawd(['whoami', '--json'], {env})
    whoami.push(now() - t)
  }
  rows.push(row('clawd whoami --json (local server), wall', whoami, 'ms'))
  return rows
}
