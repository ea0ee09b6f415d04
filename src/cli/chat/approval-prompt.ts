import {createInterface} from 'node:readline'
import type {StreamEvent} from '../../contract/stream.js'
import type {IOStreams} from '../kit/io.js'
import {describeCall} from './tool-lines.js'

type ToolStart = Extract<StreamEvent, {type: 'tool.start'}>

/** `Run exec "rm -rf build"? [y/N] `: the question before a call that waits for approval. */
export function approvalQuestion(event: ToolStart): string {
  return `  Allow ${describeCall(event)}? [y/N] `
}

/** Only an explicit yes runs the call; anything else (Enter included) is no. */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer)
}

/**
 * Asks on the terminal (question on stderr, answer from stdin) outside the REPL, for
 * `clawd chat -m … --approve`. Ctrl-C while asking is a no, and is passed on as an interrupt.
 */
export function terminalApprover(io: IOStreams, interrupt: () => void): (event: ToolStart) => Promise<boolean> {
  return (event) =>
    new Promise<boolean>((resolve) => {
      const rl = createInterface({input: io.stdin, output: io.stderr, terminal: true})
      let settled = false
      const settle = (yes: boolean) => {
        if (settled) return
        settled = true
        rl.close()
        resolve(yes)
      }
      rl.on('SIGINT', () => {
        io.stderr.write('\n')
        settle(false)
        interrupt()
      })
      rl.on('close', () => settle(false))
      rl.question(approvalQuestion(event), (answer) => settle(isYes(answer)))
    })
}
