import type {ServerCore} from './core.js'
import type {InstanceLifecycle} from './instances/lifecycle.js'

/**
 * What every route and background job gets: passed in, never imported as a singleton, so tests
 * build the real server with a temp dir, a free port and a fake clock. One object: the core, and
 * the instance lifecycle the composition root (main.ts) built on it.
 */
export interface ServerContext extends ServerCore {
  /** The instance lifecycle over the runtime driver. */
  instances: InstanceLifecycle
}
