/**
 * The seam between the agent's tool loop (which talks to the model) and the tools themselves
 * (which run inside the instance's nested tool sandbox). The loop only sees `Toolbox`; the tools
 * only see their arguments. Names and argument shapes are OpenClaw's core tools, so an AGENTS.md
 * written for OpenClaw works here.
 */

import type {ToolName} from '../../contract/tool-names.js'
import type {ProviderTool} from '../providers/types.js'

export {TOOL_GROUPS, TOOL_NAMES, type ToolName} from '../../contract/tool-names.js'

/** What a provider is told about one of these tools (parameters: a JSON Schema object). */
export type ToolDefinition = ProviderTool & {name: ToolName}

export interface ToolResult {
  ok: boolean
  /** What the model is told; already bounded in size by the tool. */
  output: string
}

export interface Toolbox {
  /** Definitions of the tools this toolbox can run, filtered by the caller's allowed list. */
  definitions(allowed: readonly ToolName[]): ToolDefinition[]
  /** Runs one call. Never throws for a tool's own failure: that is `{ok: false}`. */
  run(name: ToolName, args: unknown, signal: AbortSignal): Promise<ToolResult>
}
