import type {ToolDefinition, ToolName, Toolbox, ToolResult} from '../../src/agent/tools/types.js'
import {TOOL_NAMES} from '../../src/agent/tools/types.js'

/**
 * A small in-memory Toolbox for loop tests (the real one, with its sandbox, is src/agent/tools):
 * `write` and `read` over a Map, `exec` answers `wc -c PATH` from it; every call is recorded.
 * `hold` makes a tool wait for the test (or the signal) before it answers.
 */
export class MemoryToolbox implements Toolbox {
  readonly files = new Map<string, string>()
  readonly calls: Array<{name: ToolName; args: unknown}> = []
  /** Tools running right now (for the parallel test). */
  running = 0
  maxRunning = 0
  hold: ((name: ToolName, args: unknown, signal: AbortSignal) => Promise<void>) | undefined

  definitions(allowed: readonly ToolName[]): ToolDefinition[] {
    return TOOL_NAMES.filter((n) => allowed.includes(n)).map((name) => ({
      name,
      description: `The ${name} tool.`,
      parameters: {type: 'object', properties: {}},
    }))
  }

  async run(name: ToolName, args: unknown, signal: AbortSignal): Promise<ToolResult> {
    this.calls.push({name, args})
    this.running++
    this.maxRunning = Math.max(this.maxRunning, this.running)
    try {
      await this.hold?.(name, args, signal)
      if (signal.aborted) return {ok: false, output: 'stopped'}
      const a = args as {path?: string; content?: string; command?: string}
      switch (name) {
        case 'write':
          this.files.set(a.path!, a.content!)
          return {ok: true, output: `wrote ${a.content!.length} characters to ${a.path}`}
        case 'read':
          return this.files.has(a.path!) ? {ok: true, output: this.files.get(a.path!)!} : {ok: false, output: `${a.path}: no such file`}
        case 'exec': {
          const path = /^wc -c (\S+)$/.exec(a.command ?? '')?.[1]
          return path && this.files.has(path) ? {ok: true, output: `${Buffer.byteLength(this.files.get(path)!)} ${path}\n`} : {ok: false, output: 'exit 1'}
        }
        default:
          return {ok: true, output: `${name} ran`}
      }
    } finally {
      this.running--
    }
  }
}
