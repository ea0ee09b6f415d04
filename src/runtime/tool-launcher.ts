import {readFileSync} from 'node:fs'
import type {Socket} from 'node:net'
import {join} from 'node:path'
import {MAX_TOOL_LAUNCH_REQUEST_BYTES, parseToolLaunchRequest, type ToolLaunchRequest, type ToolLaunchResult} from '../contract/tool-launch.js'
import type {ToolLimits} from '../agent/tools/limits.js'
import {readFirstLine} from '../agent/first-line.js'
import {runBounded, toolSandboxArgs} from '../agent/tools/tool-sandbox.js'
import {InstanceSockets} from './instance-sockets.js'
import {SANDBOX_TOOLS_DIR} from './sandbox.js'

/**
 * Starts exec calls' sandboxes as the instance's tool uid, for agents of a server that runs as
 * root (the agent, an unprivileged uid, cannot give its tools another host uid itself).
 *
 * Per instance it listens on a unix socket in the directory bound into the agent's sandbox at
 * /run/clawd (host-launch.ts is the agent's side). For each call it runs, as root:
 *
 *   nsenter --target <agent> --mount --pid --net -- setpriv <tool uid, no groups, no caps> -- bwrap …
 *
 * so the call's sandbox is built in the agent's mount namespace (where the call directory lives,
 * on the agent's /tools tmpfs), inside the agent's pid namespace (bwrap needs a /proc that shows
 * it) and network namespace (the loopback forwarder to the egress proxy), but as a host uid that
 * is not the agent's: the tool cannot ptrace, signal or read the agent's /proc entries even if it
 * could name it, and it shares nothing with the agent but the call directory's group.
 *
 * Nothing the agent sends is trusted: the call directory must match TOOL_CALL_DIR_PATTERN (bwrap,
 * running as the tool uid, can reach only what that uid may), the bounds are this launcher's own
 * copy of the instance's limits, and the wall time is capped at execMaxTimeoutMs.
 */

export interface ToolLauncherTarget {
  /** The agent's host pid, once bwrap reported it. */
  agentPid(): number | undefined
  /** The agent's host uid: a pid that no longer belongs to it is refused. */
  agentUid: number
  /** The tool's host uid and gid. */
  uid: number
  gid: number
  limits: ToolLimits
}

/** Calls of one instance at once; more wait for nothing, they are refused. */
const MAX_CONCURRENT_CALLS = 4
/** An agent that connects must send its request line within this; it holds a call slot meanwhile. */
const REQUEST_TIMEOUT_MS = 10_000
/** A fix-up of the call directory's modes after a killed call. */
const FIXUP_TIMEOUT_MS = 30_000

export class ToolLauncher {
  private readonly sockets = new InstanceSockets()

  constructor(private readonly paths: {nsenter: string; setpriv: string; bwrap: string; prlimit: string | null}) {}

  /** Listens at `socketPath` for `instanceId`, handing the socket to the agent's uid. */
  open(instanceId: string, socketPath: string, target: ToolLauncherTarget): Promise<void> {
    let running = 0
    const accept = (socket: Socket) => {
      if (running >= MAX_CONCURRENT_CALLS) {
        socket.end(JSON.stringify(failure(`more than ${MAX_CONCURRENT_CALLS} exec calls at once; wait for one to end`)))
        return false
      }
      running++
      void this.serve(socket, target).finally(() => running--)
      return true
    }
    return this.sockets.open(instanceId, socketPath, accept, {uid: target.agentUid, gid: target.agentUid})
  }

  /** Stops listening for `instanceId` and cancels its running calls. */
  close(instanceId: string): Promise<void> {
    return this.sockets.close(instanceId)
  }

  closeAll(): Promise<void> {
    return this.sockets.closeAll()
  }

  private async serve(socket: Socket, target: ToolLauncherTarget): Promise<void> {
    const cancel = new AbortController()
    const line = await readFirstLine(socket, {maxBytes: MAX_TOOL_LAUNCH_REQUEST_BYTES, timeoutMs: REQUEST_TIMEOUT_MS}).catch(() => undefined)
    if (line === undefined) return void socket.destroy()
    // From here, the agent's end of the connection means the call is cancelled (the socket must
    // flow again for its end to be seen).
    socket.resume()
    socket.once('end', () => cancel.abort())
    socket.once('close', () => cancel.abort())
    const request = parseToolLaunchRequest(line)
    if ('error' in request) return void socket.end(JSON.stringify(failure(`the tool launcher refused the call (${request.error})`)))
    const pid = target.agentPid()
    if (!pid || uidOf(pid) !== target.agentUid) return void socket.end(JSON.stringify(failure('the agent is not running')))
    const result = await this.launch(pid, request, target, cancel.signal)
    if (!socket.destroyed) socket.end(JSON.stringify(result))
  }

  private async launch(pid: number, request: ToolLaunchRequest, target: ToolLauncherTarget, signal: AbortSignal): Promise<ToolLaunchResult> {
    const {limits} = target
    const sandbox = await toolSandboxArgs({
      callDir: join(SANDBOX_TOOLS_DIR, request.call),
      workdir: request.workdir,
      command: request.command,
      limits,
      proxyUrl: request.proxyPort === null ? undefined : `http://127.0.0.1:${request.proxyPort}`,
      prlimitPath: this.paths.prlimit,
      groupShared: true,
    })
    const timeoutMs = Math.min(request.timeoutMs, limits.execMaxTimeoutMs)
    const run = await runBounded(this.paths.nsenter, [...this.enter(pid, target, ['--mount', '--pid', '--net']), this.paths.bwrap, ...sandbox], {timeoutMs, maxOutputBytes: limits.execMaxOutputBytes, signal})
    if (run.failure) return failure(run.failure)
    // A killed call skipped the sandbox's own fix-up: a directory the tool locked would stay where
    // the agent can neither read it back nor remove it, filling its /tools.
    if (run.timedOut || run.cancelled) {
      const fixup = [...this.enter(pid, target, ['--mount']), '/bin/chmod', '-R', 'u+rwX,g+rwX', join(SANDBOX_TOOLS_DIR, request.call)]
      await runBounded(this.paths.nsenter, fixup, {timeoutMs: FIXUP_TIMEOUT_MS, maxOutputBytes: 0, signal: new AbortController().signal})
    }
    return {exitCode: run.exitCode, signal: run.signal, timedOut: run.timedOut, output: run.output.toString('base64'), outputBytes: run.outputBytes}
  }

  /** nsenter into the agent's namespaces, then setpriv down to the tool uid (no groups, no caps). */
  private enter(pid: number, target: ToolLauncherTarget, namespaces: string[]): string[] {
    const drop = [`--reuid=${target.uid}`, `--regid=${target.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--pdeathsig=SIGKILL']
    return ['--target', String(pid), ...namespaces, '--', this.paths.setpriv, ...drop, '--']
  }
}

function failure(why: string): ToolLaunchResult {
  return {exitCode: null, signal: null, timedOut: false, output: '', outputBytes: 0, failure: why}
}

function uidOf(pid: number): number | undefined {
  try {
    const match = /^Uid:\t(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}
