import type {StreamEvent} from '../../contract/stream.js'

type ToolStart = Extract<StreamEvent, {type: 'tool.start'}>
type ToolEnd = Extract<StreamEvent, {type: 'tool.end'}>

const MAX_ARGUMENT_CHARS = 60
const MAX_OUTCOME_CHARS = 70

/** The argument that says what a call does, by OpenClaw's argument names; else the compact JSON. */
export function describeArguments(args: Record<string, unknown>): string {
  for (const key of ['command', 'path', 'url', 'query', 'id']) {
    const value = args[key]
    if (typeof value === 'string' && value.trim()) return oneLine(value, MAX_ARGUMENT_CHARS)
  }
  const json = JSON.stringify(args)
  return json === '{}' ? '' : oneLine(json, MAX_ARGUMENT_CHARS)
}

/** `exec wc -c notes.md`: the call, on one line. */
export function describeCall(event: Pick<ToolStart, 'name' | 'arguments'>): string {
  const args = describeArguments(event.arguments)
  return args ? `${event.name} ${args}` : event.name
}

/** What came of a call, in a few words: its output's first line, or why it did not run. */
export function describeOutcome(event: Pick<ToolEnd, 'ok' | 'output' | 'skipped'>): string {
  if (event.skipped === 'denied') return 'skipped: you said no'
  if (event.skipped === 'no_answer') return 'skipped: no answer in time'
  const first = event.output.split('\n').find((line) => line.trim()) ?? ''
  const summary = first ? oneLine(first, MAX_OUTCOME_CHARS) : event.ok ? 'done' : 'failed'
  return event.ok ? summary : `failed: ${summary}`
}

export function toolMark(event: Pick<ToolEnd, 'ok' | 'skipped'>): string {
  return event.skipped ? '⊘' : event.ok ? '✓' : '✗'
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

export interface ToolLinesOutput {
  write(text: string): void
  /** True on a terminal: a running call's line is rewritten in place with its outcome. */
  rewrite: boolean
  dim: (text: string) => string
  red: (text: string) => string
}

/**
 * Tool calls as people see them: one dim line per call while it runs (`⋯ exec ls`), then its
 * outcome (`✓ exec ls · 3 files`). On a terminal the running line is replaced by the outcome when
 * nothing was written after it; otherwise (parallel calls, text in between, a pipe) the outcome
 * is a line of its own.
 */
export class ToolLines {
  private names = new Map<string, string>()
  /** The call whose running line is the last line on the terminal. */
  private lastLine: string | undefined

  constructor(private readonly out: ToolLinesOutput) {}

  start(event: ToolStart): void {
    const call = describeCall(event)
    this.names.set(event.id, call)
    this.out.write(this.out.dim(`  ⋯ ${call}`) + '\n')
    this.lastLine = event.id
  }

  end(event: ToolEnd): void {
    const call = this.names.get(event.id) ?? event.name
    const line = `  ${toolMark(event)} ${call} · ${describeOutcome(event)}`
    const replace = this.out.rewrite && this.lastLine === event.id
    this.out.write((replace ? '\x1b[1A\r\x1b[2K' : '') + (event.ok ? this.out.dim(line) : this.out.red(line)) + '\n')
    this.lastLine = undefined
  }

  /** Something else reached the terminal: the last line is no longer a running call's. */
  otherOutput(): void {
    this.lastLine = undefined
  }
}
