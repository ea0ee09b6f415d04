import type {AgentConfig} from '../../contract/agent.js'
import type {AgentFetch, AgentLog} from '../context.js'
import type {Vault} from '../vault.js'
import {WorkspaceStore} from '../workspace-store.js'
import {createToolbox} from './index.js'
import {ProxyForwarder} from './proxy-forwarder.js'
import {SandboxRunner} from './sandbox-runner.js'
import type {Toolbox} from './types.js'

export interface AgentToolsOptions {
  config: AgentConfig
  vault: Vault
  fetch: AgentFetch
  egressSocket: string | null
  log: AgentLog
  shutdown: AbortSignal
}

/**
 * The agent's toolbox from its init config: the workspace store, the egress fetch, and (when the
 * driver gave it a tool sandbox) the exec runner. Returns what must be closed at shutdown.
 */
export function createAgentToolbox(opts: AgentToolsOptions): {toolbox: Toolbox; close(): Promise<void>} {
  const tools = opts.config.tools
  const sandbox = tools?.sandbox
  const forwarder = sandbox?.proxy && opts.egressSocket ? new ProxyForwarder(opts.egressSocket) : undefined
  const exec = sandbox
    ? new SandboxRunner({bwrapPath: sandbox.bwrapPath, workRoot: sandbox.workRoot, prlimitPath: sandbox.prlimitPath, proxyUrl: forwarder && (() => forwarder.url())})
    : undefined
  const toolbox = createToolbox({
    store: new WorkspaceStore(opts.vault),
    fetch: opts.fetch,
    exec,
    limits: tools?.limits,
    execUnavailable: 'this server runs instances without bubblewrap, so there is no sandbox to run commands in',
    log: opts.log,
  })
  return {toolbox, close: async () => forwarder?.close()}
}
