import type {AgentConfig} from '../contract/agent.js'
import type {Isolation} from '../contract/instances.js'
import type {EgressRecord} from './egress-proxy.js'

/**
 * How the server runs instances, whatever runs them: the `local` driver (a process per instance,
 * under bubblewrap when the host allows) now, a Kubernetes driver (a pod per instance) later.
 *
 * The driver owns processes and directories only. The lifecycle (states, quotas, idle pause) lives
 * in src/server/instances/ and calls these methods; the data key arrives unwrapped and is never
 * stored by the driver.
 *
 * Kubernetes mapping, for when that driver comes: create → a PersistentVolumeClaim; start → a pod
 * whose init data arrives through a projected Secret or an init-container pipe (never env);
 * connect → the pod's service address instead of a socket path; stop → delete the pod;
 * destroy → delete the claim; exit events → pod watch; egress → a NetworkPolicy plus the proxy.
 */
export interface InstanceDriver {
  /** How instances are isolated here: printed by `server start`, reported by `instance show`. */
  readonly isolation: Isolation

  /** Makes the instance's storage (`<data-dir>/instances/<id>/`, 0700). Idempotent. */
  create(id: string): Promise<void>

  /**
   * Starts the agent and resolves once it answers its health check, or rejects (after cleaning
   * up) with a clear message that includes the agent's last stderr lines.
   */
  start(id: string, init: StartInit): Promise<StartedInstance>

  /** SIGTERM, then SIGKILL after a bound. Resolves once the process is gone. Idempotent. */
  stop(id: string): Promise<void>

  /** Stops the instance and removes its storage entirely. Idempotent. */
  destroy(id: string): Promise<void>

  /** Whether the process runs. A process that died is 'stopped' (see `lastExit`). */
  status(id: string): Promise<InstanceProcessState>

  /** The last exit of the instance's process in this server's lifetime. */
  lastExit(id: string): InstanceExit | undefined

  /** Where the gateway reaches the agent. Pure: works for any id, running or not. */
  connect(id: string): AgentEndpoint

  /**
   * The instance's storage as bytes (it must be stopped), to move it to another host: ciphertext
   * under its data key, never opened here. A cluster driver would snapshot its volume instead.
   */
  exportStorage(id: string): Promise<Buffer>

  /** Makes the instance's storage from `exportStorage`'s bytes; fails if it already has storage. */
  importStorage(id: string, bytes: Buffer): Promise<void>

  /** Ids that have storage (for start-up reconciliation). */
  list(): Promise<string[]>

  /** Called with every exit of an instance process, expected (stop) or not (crash). */
  onExit(listener: (id: string, exit: InstanceExit) => void): () => void
  /**
   * Hosts (host or host:port) this instance alone may reach besides the shared allow list, e.g.
   * the Bot API of its Telegram channel; [] takes them back. Optional: a driver without it gives
   * instances the shared list only.
   */
  setEgressExtra?(id: string, entries: readonly string[]): void
  /** Called with every egress connection an instance makes or attempts. */
  onEgress(listener: (record: EgressRecord) => void): () => void
  /** Lines the agent writes on stdout/stderr (JSON log lines on stdout). */
  onLog(listener: (id: string, stream: 'stdout' | 'stderr', line: string) => void): () => void

  /** Stops every instance this driver started (server shutdown). */
  shutdown(): Promise<void>
}

export interface StartInit {
  /** The unwrapped 32-byte data key. The driver passes it on and keeps no copy. */
  dataKey: Buffer
  /** The per-instance secret the gateway will present in INSTANCE_SECRET_HEADER. */
  secret: string
  config: AgentConfig
}

export interface StartedInstance {
  /** The agent process's pid on the host (inside bwrap: the sandbox's pid 1 seen from outside). */
  pid: number
  startedAt: number
  /** Milliseconds from spawn to the first healthy answer. */
  startMs: number
}

export type InstanceProcessState = 'running' | 'starting' | 'stopped' | 'missing'

export interface InstanceExit {
  code: number | null
  signal: string | null
  at: number
  /** True when the driver was asked to stop it; false for a crash. */
  expected: boolean
  /** The last lines the agent wrote on stderr, for a failure reason. */
  stderrTail: string[]
}

export interface AgentEndpoint {
  /** The agent's unix socket on the host. */
  socketPath: string
  /** The header the gateway must send, with the secret given at start. */
  secretHeader: string
}
