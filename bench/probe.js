// Preloaded into a CLI run by bench/cli.js (`node --import ./bench/probe.js …`): counts the
// JavaScript files the process loads and writes its CPU time to $CLAWD_BENCH_PROBE at exit.
import {writeFileSync} from 'node:fs'
import module from 'node:module'

let files = 0
module.registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:') && /\.(c|m)?js$/.test(url)) files++
    return nextLoad(url, context)
  },
})
process.on('exit', () => {
  const cpu = process.cpuUsage()
  if (process.env.CLAWD_BENCH_PROBE) writeFileSync(process.env.CLAWD_BENCH_PROBE, JSON.stringify({cpuMs: (cpu.user + cpu.system) / 1000, files}))
})
