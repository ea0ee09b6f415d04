import {z} from 'zod'
import {TOOL_GROUPS, TOOL_NAMES} from './tool-names.js'

/**
 * An instance's tool policy, shaped like OpenClaw's `tools.profile` / `tools.allow` /
 * `tools.deny`: a profile gives the base set, `allow` adds to it, `deny` removes and always wins.
 * Entries are tool names, groups (`group:fs`) or `*` (every tool), matched case-insensitively.
 */
export const TOOL_PROFILES = ['minimal', 'coding'] as const
export const toolProfileSchema = z.enum(TOOL_PROFILES, {error: `use one of: ${TOOL_PROFILES.join(', ')}`})
export type ToolProfile = z.infer<typeof toolProfileSchema>

const KNOWN_ENTRIES: ReadonlySet<string> = new Set([...TOOL_NAMES, ...Object.keys(TOOL_GROUPS), '*'])

/** What a policy entry may name, for error messages that say what exists. */
export const KNOWN_TOOL_ENTRIES_TEXT = `tools: ${TOOL_NAMES.join(', ')}; groups: ${Object.keys(TOOL_GROUPS).join(', ')}; or * for all`

export const toolEntrySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(64)
  .refine((entry) => KNOWN_ENTRIES.has(entry), {
    error: (issue) => `unknown tool or group ${JSON.stringify(String(issue.input).slice(0, 64))} (${KNOWN_TOOL_ENTRIES_TEXT})`,
  })

const entryListSchema = z
  .array(toolEntrySchema)
  .max(32)
  .transform((entries) => [...new Set(entries)])

export const toolPolicySchema = z.strictObject({
  profile: toolProfileSchema,
  allow: entryListSchema.default([]),
  deny: entryListSchema.default([]),
})
export type ToolPolicy = z.infer<typeof toolPolicySchema>

/** The policy as an instance reports it, with the tools a message gets today under its plan. */
export const instanceToolsSchema = z.object({
  profile: toolProfileSchema,
  allow: z.array(z.string()),
  deny: z.array(z.string()),
  /** The tools a message may use now: the policy's, or none when the plan allows no tools. */
  effective: z.array(z.string()),
})
export type InstanceTools = z.infer<typeof instanceToolsSchema>
