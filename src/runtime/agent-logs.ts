import type {ChildProcess} from 'node:child_process'

const STDERR_TAIL_LINES = 20
const MAX_LOG_LINE = 4096

/**
 * Pipes an agent's stdout and stderr to `emit`, cut into lines (a line past 4 KiB is cut short).
 * Its last stderr lines stay in `proc.stderrTail` for a start-up error, and a stdout line wakes
 * the start-up wait (the agent logs a line once it listens).
 */
export function pipeAgentLogs(child: ChildProcess, proc: {stderrTail: string[]; wake?: () => void}, emit: (stream: 'stdout' | 'stderr', line: string) => void): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const input = child[stream]!
    const emitLine = (raw: string) => {
      const line = raw.length > MAX_LOG_LINE ? raw.slice(0, MAX_LOG_LINE) + '…' : raw
      if (stream === 'stdout') proc.wake?.()
      else if (proc.stderrTail.push(line) > STDERR_TAIL_LINES) proc.stderrTail.shift()
      emit(stream, line)
    }
    let pending = ''
    input.setEncoding('utf8')
    input.on('data', (chunk: string) => {
      pending += chunk
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        emitLine(pending.slice(0, newline))
        pending = pending.slice(newline + 1)
      }
      if (pending.length > MAX_LOG_LINE) {
        emitLine(pending)
        pending = ''
      }
    })
    input.on('end', () => pending && emitLine(pending))
    input.on('error', () => {})
  }
}
