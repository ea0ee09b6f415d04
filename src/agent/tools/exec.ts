import type {StoredWorkspaceFile, WorkspaceStore} from '../workspace-store.js'
import {optionalInt, optionalString, requiredString, ToolInputError, type ToolArgs} from './args.js'
import type {ToolLimits} from './limits.js'
import type {BoundedRun} from './tool-sandbox.js'
import type {ToolResult} from './types.js'
import {applyWorkspaceChanges} from './workspace-rules.js'

/**
 * `exec` (command, optional timeout in seconds, optional workdir): the command runs in the nested
 * tool sandbox (sandbox-runner.ts) over a plaintext copy of the workspace that lives only in
 * memory; afterwards, what the command created, changed or deleted among the workspace files is
 * saved back to the encrypted store under the workspace rules, and the copy is removed.
 */

export interface ExecRequest {
  command: string
  /** Relative to the workspace root, already checked ('' for the root). */
  workdir: string
  timeoutMs: number
  files: readonly StoredWorkspaceFile[]
  limits: ToolLimits
}

/** The sandbox's run, its output as text, and what the workspace copy held afterwards. */
export type ExecOutcome = Omit<BoundedRun, 'output'> & {
  output: string
  /** The workspace copy after the run: regular UTF-8 files only. */
  files: StoredWorkspaceFile[]
  /** Paths left behind that could not be taken back (binary, too large, links), with why. */
  unreadable: Array<{path: string; why: string}>
}

export interface ExecRunner {
  run(request: ExecRequest, signal: AbortSignal): Promise<ExecOutcome>
}

export async function execTool(runner: ExecRunner, store: WorkspaceStore, args: ToolArgs, limits: ToolLimits, signal: AbortSignal): Promise<ToolResult> {
  const command = requiredString(args, ['command', 'cmd'])
  const workdir = normaliseWorkdir(optionalString(args, ['workdir', 'cwd']))
  const seconds = optionalInt(args, ['timeout'], 1, Math.floor(limits.execMaxTimeoutMs / 1000))
  const timeoutMs = seconds === undefined ? limits.execTimeoutMs : seconds * 1000
  const before = await store.files()
  const outcome = await runner.run({command, workdir, timeoutMs, files: before, limits}, signal)
  if (outcome.failure) return {ok: false, output: `exec could not run: ${outcome.failure}`}

  const changes = diff(before, outcome.files, new Set(outcome.unreadable.map((u) => u.path)))
  let saved = ''
  if (changes.size > 0) {
    // Applied onto the workspace as it is now, not as it was: a write that ran meanwhile stays.
    const result = await store.update(async (current) => {
      const applied = await applyWorkspaceChanges(current, changes)
      return {files: applied.applied.length > 0 ? applied.files : undefined, result: applied}
    })
    saved = summariseSave(result.applied, result.refused)
  }
  const notes: string[] = []
  if (outcome.outputBytes > Buffer.byteLength(outcome.output)) notes.push(`[output cut: ${outcome.outputBytes} bytes in all, the first ${limits.execMaxOutputBytes} shown]`)
  if (outcome.timedOut) notes.push(`[killed: the command ran longer than ${Math.round(timeoutMs / 1000)} s; every process it started was stopped]`)
  else if (outcome.cancelled) notes.push('[killed: the call was cancelled]')
  else if (outcome.signal) notes.push(`[killed by ${outcome.signal}${limitHint(outcome.signal, limits)}]`)
  else notes.push(`[exit code ${outcome.exitCode}]`)
  if (outcome.unreadable.length > 0) notes.push(`[not saved: ${outcome.unreadable.slice(0, 10).map((u) => `${u.path} (${u.why})`).join(', ')}${outcome.unreadable.length > 10 ? ', …' : ''}]`)
  if (saved) notes.push(saved)
  const ok = !outcome.timedOut && !outcome.cancelled && outcome.signal === null && outcome.exitCode === 0
  return {ok, output: `${outcome.output}${outcome.output && !outcome.output.endsWith('\n') ? '\n' : ''}${notes.join('\n')}`}
}

function normaliseWorkdir(raw: string | undefined): string {
  if (raw === undefined) return ''
  let dir = raw.trim()
  // The model may give the sandbox path itself; anything else absolute is outside the workspace.
  if (dir === '/workspace' || dir.startsWith('/workspace/')) dir = dir.slice('/workspace'.length)
  else if (dir.startsWith('/')) throw new ToolInputError('"workdir" must be relative to the workspace (e.g. "memory").')
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) throw new ToolInputError('"workdir" must stay inside the workspace (no "..").')
  if (parts.some((p) => /[\0]/.test(p))) throw new ToolInputError('"workdir" contains a NUL byte.')
  return parts.join('/')
}

/**
 * path → new content, or null for a workspace file the command deleted. A file that is still
 * there but could not be taken back (made binary, too large, replaced by a link) is left as it
 * was in the store, not deleted.
 */
function diff(before: readonly StoredWorkspaceFile[], after: readonly StoredWorkspaceFile[], unreadable: ReadonlySet<string>): Map<string, string | null> {
  const old = new Map(before.map((f) => [f.path, f.content]))
  const changes = new Map<string, string | null>()
  const seen = new Set<string>()
  for (const f of after) {
    seen.add(f.path)
    if (old.get(f.path) !== f.content) changes.set(f.path, f.content)
  }
  for (const path of old.keys()) if (!seen.has(path) && !unreadable.has(path)) changes.set(path, null)
  return changes
}

function summariseSave(applied: string[], refused: Array<{path: string; message: string}>): string {
  const parts: string[] = []
  if (applied.length > 0) parts.push(`[saved to the workspace: ${applied.join(', ')}]`)
  const unknown = refused.filter((r) => /not part of an OpenClaw workspace|not a daily note|left out/.test(r.message))
  const other = refused.filter((r) => !unknown.includes(r))
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).map((r) => r.path).join(', ')
    parts.push(`[discarded (not workspace files, they live only for this call): ${shown}${unknown.length > 10 ? `, … ${unknown.length - 10} more` : ''}]`)
  }
  for (const r of other.slice(0, 5)) parts.push(`[not saved: ${r.message}]`)
  return parts.join('\n')
}

function limitHint(signal: string, limits: ToolLimits): string {
  if (signal === 'SIGXCPU') return `: the ${limits.execCpuSeconds} s CPU limit`
  if (signal === 'SIGXFSZ') return `: the ${limits.execMaxFileMb} MB file size limit`
  if (signal === 'SIGKILL') return ' (possibly out of memory)'
  return ''
}
