import type {AgentConfig} from '../contract/agent.js'
import type {AgentKeyPair} from './keypair.js'
import type {Toolbox} from './tools/types.js'
import type {Vault} from './vault.js'

/** A fetch that reaches the network only through the instance's egress proxy. */
export type AgentFetch = (url: string, init?: RequestInit) => Promise<Response>

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
/** Structured log lines (stdout, JSON); never pass secrets, keys or message text. */
export type AgentLog = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void

/**
 * What every agent route gets. Built once at start-up by `startAgent`; features that need more
 * (sessions, providers) add a field here and build it there.
 */
export interface AgentContext {
  instanceId: string
  config: AgentConfig
  /** Everything persisted, encrypted under the data key. */
  vault: Vault
  keys: AgentKeyPair
  fetch: AgentFetch
  log: AgentLog
  startedAt: number
  /** Aborted when the agent begins to shut down, so long streams can end cleanly. */
  shutdown: AbortSignal
  /**
   * OpenClaw's core tools over this instance's workspace (src/agent/tools). Built at start-up on
   * every agent; whether a turn may use them is the plan's and the policy's decision, not this.
   */
  toolbox?: Toolbox
}

/** A feature's per-agent parts, built by `build` on first use (an agent that never uses it pays nothing). */
export function perAgent<T>(build: (agent: AgentContext) => T): (agent: AgentContext) => T {
  const built = new WeakMap<AgentContext, T>()
  return (agent) => {
    if (!built.has(agent)) built.set(agent, build(agent))
    return built.get(agent)!
  }
}
