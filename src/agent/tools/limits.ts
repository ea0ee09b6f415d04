import {TOOL_LIMIT_NAMES, type ToolLimitName} from '../../contract/core.js'

/**
 * Bounds on every tool call. Defaults here; the server can lower or raise them per instance
 * through the agent's init config (`config.tools.limits`, src/contract/agent.ts).
 */
export interface ToolLimits {
  /** Characters of a file, memory hit list or page returned to the model. */
  maxOutputChars: number
  /** exec: default wall time of one call, and the most a model may ask for with `timeout`. */
  execTimeoutMs: number
  execMaxTimeoutMs: number
  /** exec: address space of each process in the sandbox (RLIMIT_AS). */
  execMemoryMb: number
  /** exec: processes (and threads) in the sandbox at once (RLIMIT_NPROC in its own user namespace). */
  execMaxProcs: number
  /** exec: CPU seconds of each process (RLIMIT_CPU). */
  execCpuSeconds: number
  /** exec: the sandbox's in-memory disk (workspace copy plus /tmp), and the largest file in it. */
  execDiskMb: number
  execMaxFileMb: number
  /** exec: stdout+stderr kept per call; the rest is counted, not stored. */
  execMaxOutputBytes: number
  webFetchTimeoutMs: number
  webFetchMaxResponseBytes: number
}

/** The contract names exactly these bounds (src/contract/core.ts): this fails to compile when the two part. */
const sameNames: [keyof ToolLimits] extends [ToolLimitName] ? ([ToolLimitName] extends [keyof ToolLimits] ? true : never) : never = true
void sameNames

export const DEFAULT_TOOL_LIMITS: Readonly<ToolLimits> = {
  maxOutputChars: 50_000,
  execTimeoutMs: 60_000,
  execMaxTimeoutMs: 600_000,
  execMemoryMb: 1024,
  execMaxProcs: 64,
  execCpuSeconds: 120,
  execDiskMb: 256,
  execMaxFileMb: 64,
  execMaxOutputBytes: 64 * 1024,
  webFetchTimeoutMs: 30_000,
  webFetchMaxResponseBytes: 2 * 1024 * 1024,
}

/** Defaults overlaid with what the config gives (only positive finite numbers are taken). */
export function resolveLimits(given: Partial<Record<keyof ToolLimits, unknown>> | undefined): ToolLimits {
  const limits = {...DEFAULT_TOOL_LIMITS}
  for (const key of TOOL_LIMIT_NAMES) {
    const value = given?.[key]
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) limits[key] = Math.floor(value)
  }
  return limits
}
