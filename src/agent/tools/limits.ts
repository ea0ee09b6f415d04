import {TOOL_LIMIT_NAMES, type ToolLimitName} from '../../contract/core.js'

/** Bounds on every tool call: exactly the ones the contract names (src/contract/core.ts). */
export type ToolLimits = Record<ToolLimitName, number>

/** The defaults; the server can lower or raise them per instance through the agent's init config (`config.tools.limits`, src/contract/agent.ts). */
export const DEFAULT_TOOL_LIMITS: Readonly<ToolLimits> = {
  // Characters of a file, memory hit list or page returned to the model.
  maxOutputChars: 50_000,
  // exec: default wall time of one call, and the most a model may ask for with `timeout`.
  execTimeoutMs: 60_000,
  execMaxTimeoutMs: 600_000,
  // exec: address space of each process in the sandbox (RLIMIT_AS).
  execMemoryMb: 1024,
  // exec: processes (and threads) in the sandbox at once (RLIMIT_NPROC in its own user namespace).
  execMaxProcs: 64,
  // exec: CPU seconds of each process (RLIMIT_CPU).
  execCpuSeconds: 120,
  // exec: the sandbox's in-memory disk (workspace copy plus /tmp), and the largest file in it.
  execDiskMb: 256,
  execMaxFileMb: 64,
  // exec: stdout+stderr kept per call; the rest is counted, not stored.
  execMaxOutputBytes: 64 * 1024,
  webFetchTimeoutMs: 30_000,
  webFetchMaxResponseBytes: 2 * 1024 * 1024,
}

/** Defaults overlaid with what the config gives (only positive finite numbers are taken). */
export function resolveLimits(given: Partial<Record<ToolLimitName, unknown>> | undefined): ToolLimits {
  const limits = {...DEFAULT_TOOL_LIMITS}
  for (const key of TOOL_LIMIT_NAMES) {
    const value = given?.[key]
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) limits[key] = Math.floor(value)
  }
  return limits
}
