import type {AgentFetch, AgentLog} from '../context.js'
import {isDiskFull} from '../vault.js'
import type {WorkspaceStore} from '../workspace-store.js'
import {asArgs, ToolInputError, type ToolArgs} from './args.js'
import {TOOL_DEFINITIONS} from './definitions.js'
import {execTool, type ExecRunner} from './exec.js'
import {editTool, readTool, writeTool} from './fs-tools.js'
import {resolveLimits, type ToolLimits} from './limits.js'
import {memoryGetTool, memorySearchTool} from './memory-tools.js'
import {TOOL_NAMES, type ToolDefinition, type ToolName, type ToolResult, type Toolbox} from './types.js'
import {webFetchTool} from './web-fetch.js'

export interface ToolboxDeps {
  /** The instance's encrypted workspace: what read/write/edit/memory_* act on and exec sees. */
  store: WorkspaceStore
  /** The egress fetch (src/agent/egress-fetch.ts): web_fetch's only way out. */
  fetch: AgentFetch
  /** Runs exec's command in the nested sandbox; without it, exec answers that it is unavailable. */
  exec?: ExecRunner
  /** Why exec is unavailable, when `exec` is absent (told to the model). */
  execUnavailable?: string
  limits?: Partial<ToolLimits>
  log?: AgentLog
}

/**
 * OpenClaw's core tools for this instance. Which of them a given turn may use is the caller's
 * policy (plan, profile, allow/deny): `definitions(allowed)` and the loop's own check; this only
 * runs them. A tool's own failure (bad arguments, missing file, timeout) is `{ok: false}` with a
 * message for the model; nothing here throws into the loop.
 */
export function createToolbox(deps: ToolboxDeps): Toolbox {
  const limits = resolveLimits(deps.limits)
  const log = deps.log ?? (() => {})

  const tools: Record<ToolName, (a: ToolArgs, signal: AbortSignal) => Promise<ToolResult>> = {
    read: (a) => readTool(deps.store, a, limits.maxOutputChars),
    write: (a) => writeTool(deps.store, a),
    edit: (a) => editTool(deps.store, a),
    exec: async (a, signal) => {
      if (!deps.exec) return {ok: false, output: `exec is not available on this instance: ${deps.execUnavailable ?? 'no tool sandbox'}.`}
      return execTool(deps.exec, deps.store, a, limits, signal)
    },
    web_fetch: (a, signal) => webFetchTool(deps.fetch, a, limits, signal),
    memory_search: (a) => memorySearchTool(deps.store, a, limits.maxOutputChars),
    memory_get: (a) => memoryGetTool(deps.store, a, limits.maxOutputChars),
  }

  return {
    definitions(allowed: readonly ToolName[]): ToolDefinition[] {
      return TOOL_NAMES.filter((n) => allowed.includes(n)).map((n) => TOOL_DEFINITIONS[n])
    },
    async run(name: ToolName, args: unknown, signal: AbortSignal): Promise<ToolResult> {
      if (!(TOOL_NAMES as readonly string[]).includes(name)) return {ok: false, output: `There is no tool named ${JSON.stringify(name).slice(0, 80)}.`}
      if (signal.aborted) return {ok: false, output: 'The call was cancelled before it ran.'}
      const began = Date.now()
      try {
        const result = await tools[name](asArgs(args), signal)
        log('info', 'tool call', {tool: name, ok: result.ok, ms: Date.now() - began})
        return result
      } catch (error) {
        if (error instanceof ToolInputError) return {ok: false, output: `Invalid arguments for ${name}: ${error.message}`}
        if (isDiskFull(error)) return {ok: false, output: "The instance's disk is full; nothing was saved. Ask the owner to delete old sessions or get more space."}
        // An internal failure: the model gets a plain sentence, the log gets the class (never data).
        log('error', 'tool failed', {tool: name, error: (error as Error)?.name ?? 'Error'})
        return {ok: false, output: `${name} failed inside the agent: ${(error as Error)?.message ?? 'unknown error'}`}
      }
    },
  }
}
