import type {FastifyBaseLogger} from 'fastify'
import type {ServerConfig} from './config.js'
import type {ReplicaClient} from './replicas/client.js'
import type {ReplicaRegistry} from './replicas/registry.js'
import type {Db} from './store/db.js'

/** Time, passed in so tests can move it. */
export interface Clock {
  now(): number
}
export const systemClock: Clock = {now: () => Date.now()}

/**
 * What the composition root (main.ts) builds first, before the instances: the parts below the
 * instance lifecycle (the lifecycle itself, the jobs, the instance secrets) take this, never
 * ServerContext, so that nothing they import leads back to them.
 */
export interface ServerCore {
  config: ServerConfig
  db: Db
  log: FastifyBaseLogger
  clock: Clock
  /** Subkeys derived from the master key (never the master key itself outside start-up). */
  secrets: {
    /** HMAC pepper for stored tokens and codes. */
    tokenPepper: Buffer
    /** Wraps each instance's data key. */
    dataKeyWrap: Buffer
    /** Signs CSRF tokens and other server-made values. */
    signing: Buffer
  }
  /** Work started by routes that shutdown must wait for, and hooks run on close. */
  onClose: Array<() => Promise<void>>
  /**
   * This API replica among the others on one PostgreSQL (set by `startServer`; absent for operator
   * commands run in-process, which then act as a lone replica).
   */
  cluster?: {registry: ReplicaRegistry; client: ReplicaClient}
  /** Lines `server start` prints after the address (isolation mode, warnings). */
  startupNotes?: string[]
}
