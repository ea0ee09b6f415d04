/**
 * The wire between an agent and the host's tool launcher (src/runtime/tool-launcher.ts), used when
 * the server runs as root: the agent cannot give its tools a host uid of its own, so it asks the
 * launcher, over a unix socket bound into its sandbox, to start each exec call's sandbox as the
 * instance's tool uid. One connection per call: the agent writes one request line, the launcher
 * answers one result line when the call ends; the agent closing the connection cancels the call.
 *
 * Zod-free: the agent loads it. The launcher treats every field as hostile (the agent is the
 * less trusted side of that socket), so the parser below checks each one.
 */

/** A call directory's name under the agent's /tools tmpfs, as the agent creates it. */
export const TOOL_CALL_DIR_PATTERN = /^call-[A-Za-z0-9_-]{8,32}$/
/** The longest request line the launcher reads (the command is most of it). */
export const MAX_TOOL_LAUNCH_REQUEST_BYTES = 256 * 1024

export interface ToolLaunchRequest {
  /** The call directory (TOOL_CALL_DIR_PATTERN) holding ws/ and tmp/. */
  call: string
  /** Relative to the workspace root, already checked by the agent ('' for the root). */
  workdir: string
  command: string
  timeoutMs: number
  /** The agent's 127.0.0.1 port that forwards to the egress proxy; null: no network. */
  proxyPort: number | null
}

export interface ToolLaunchResult {
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  /** stdout and stderr interleaved, bounded, base64 (it may end inside a UTF-8 sequence). */
  output: string
  outputBytes: number
  /** Set when the sandbox could not start at all. */
  failure?: string
}

/** The request, or why it is refused. */
export function parseToolLaunchRequest(line: string): ToolLaunchRequest | {error: string} {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return {error: 'not JSON'}
  }
  if (typeof raw !== 'object' || raw === null) return {error: 'not an object'}
  const r = raw as Record<string, unknown>
  if (typeof r.call !== 'string' || !TOOL_CALL_DIR_PATTERN.test(r.call)) return {error: 'bad call directory'}
  if (typeof r.workdir !== 'string' || !validWorkdir(r.workdir)) return {error: 'bad workdir'}
  if (typeof r.command !== 'string' || r.command.length === 0 || r.command.includes('\0')) return {error: 'bad command'}
  if (typeof r.timeoutMs !== 'number' || !Number.isSafeInteger(r.timeoutMs) || r.timeoutMs <= 0) return {error: 'bad timeout'}
  const port = r.proxyPort
  if (port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) return {error: 'bad proxy port'}
  return {call: r.call, workdir: r.workdir, command: r.command, timeoutMs: r.timeoutMs, proxyPort: port}
}

/** '' or relative segments without '.', '..' or NUL: the launcher joins it under /workspace. */
function validWorkdir(dir: string): boolean {
  if (dir === '') return true
  return dir.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0'))
}
