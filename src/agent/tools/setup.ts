import type {AgentConfig} from '../../contract/agent.js'
import type {AgentFetch, AgentLog} from '../context.js'
import type {Vault} from '../vault.js'
import {WorkspaceStore} from '../workspace-store.js'
import type {ExecRunner} from './exec.js'
import {createToolbox} from './index.js'
import type {ProxyForwarder} from './proxy-forwarder.js'
import type {Toolbox} from './types.js'

export interface AgentToolsOptions {
  config: AgentConfig
  vault: Vault
  fetch: AgentFetch
  egressSocket: string | null
  log: AgentLog
}

/**
 * The agent's toolbox from its init config: the workspace store, the egress fetch, and (when the
 * driver gave it a tool sandbox) the exec runner. The runner and the proxy forwarder are loaded
 * on the first exec (child_process and a listening port cost memory an idle agent need not pay).
 * Returns what must be closed at shutdown.
 */
export function createAgentToolbox(opts: AgentToolsOptions): {toolbox: Toolbox; close(): Promise<void>} {
  const tools = opts.config.tools
  const sandbox = tools?.sandbox
  let forwarder: ProxyForwarder | undefined
  let runner: Promise<ExecRunner> | undefined
  const exec: ExecRunner | undefined = sandbox && {
    async run(request, signal) {
      runner ??= (async () => {
        const {SandboxRunner, localLaunch} = await import('./sandbox-runner.js')
        if (sandbox.proxy && opts.egressSocket) {
          const {ProxyForwarder} = await import('./proxy-forwarder.js')
          forwarder = new ProxyForwarder(opts.egressSocket)
        }
        const proxyUrl = forwarder && (() => forwarder!.url())
        if (sandbox.launcher) {
          const {hostLaunch} = await import('./host-launch.js')
          const proxyPort = proxyUrl && (async () => Number(new URL(await proxyUrl()).port))
          return new SandboxRunner(sandbox.workRoot, hostLaunch({socket: sandbox.launcher.socket, gid: sandbox.launcher.gid, proxyPort}))
        }
        return new SandboxRunner(sandbox.workRoot, localLaunch({bwrapPath: sandbox.bwrapPath, workRoot: sandbox.workRoot, prlimitPath: sandbox.prlimitPath, proxyUrl}))
      })()
      return (await runner).run(request, signal)
    },
  }
  const toolbox = createToolbox({
    store: new WorkspaceStore(opts.vault),
    fetch: opts.fetch,
    exec,
    limits: tools?.limits,
    execUnavailable: 'this instance has no tool sandbox (the server runs it without bubblewrap, or nested sandboxes do not work on its host)',
    log: opts.log,
  })
  return {toolbox, close: async () => forwarder?.close()}
}
