/**
 * OpenClaw's core tool names and groups: the names a tool policy, a plan and the agent all speak.
 * Zod-free, so the agent imports it at run time.
 */

/** OpenClaw's core tool names, in the order the model is offered them. */
export const TOOL_NAMES = ['read', 'write', 'edit', 'exec', 'web_fetch', 'memory_search', 'memory_get'] as const
export type ToolName = (typeof TOOL_NAMES)[number]

/** OpenClaw's tool groups, for allow/deny policy entries such as `group:fs`. */
export const TOOL_GROUPS: Readonly<Record<string, readonly ToolName[]>> = {
  'group:fs': ['read', 'write', 'edit'],
  'group:runtime': ['exec'],
  'group:web': ['web_fetch'],
  'group:memory': ['memory_search', 'memory_get'],
}
