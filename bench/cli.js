// CLI start-up and a whoami round trip against a local server.
import {spawnSync} from 'node:child_process'
import {bin, clawd} from '../scripts/harness.js'
import {now, row} from './stats.js'

export async function benchCli({env, runs = 20}) {
  const version = []
  const help = []
  for (let i = 0; i < runs; i++) {
    let t = now()
    spawnSync(process.execPath, [bin, '--version'], {env})
    version.push(now() - t)
    t = now()
    spawnSync(process.execPath, [bin, 'instance', '--help'], {env})
    help.push(now() - t)
  }
  const whoami = []
  for (let i = 0; i < Math.max(5, runs / 2); i++) {
    const t = now()
    await clawd(['whoami', '--json'], {env})
    whoami.push(now() - t)
  }
  return [
    row('clawd --version (cold start)', version, 'ms', {note: 'goal < 150 ms'}),
    row('clawd instance --help (oclif loaded)', help, 'ms'),
    row('clawd whoami --json (local server)', whoami, 'ms'),
  ]
}
