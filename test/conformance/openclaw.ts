import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll} from 'vitest'
// @ts-expect-error plain ESM script without types, shared with .ci/run
import {ensureOpenClaw, OPENCLAW_VERSION} from '../../scripts/install-openclaw.mjs'
import type {PromptOptions, SessionKind} from '../../src/agent/prompt.js'

/**
 * The real OpenClaw package as a judge: its own loader, budgets and renderer, loaded from the
 * pinned install in the cache dir (scripts/install-openclaw.mjs). Functions that no public entry
 * exports are found by their function name in the package's chunks (names survive its bundler;
 * the chunk file names do not), so nothing here copies OpenClaw code.
 */

export {OPENCLAW_VERSION}

interface ContextFile {
  path: string
  content: string
}

export interface OpenClaw {
  dir: string
  ensureAgentWorkspace(params: {dir: string; ensureBootstrapFiles?: boolean}): Promise<{bootstrapPending: boolean}>
  resolveBootstrapContextForRun(params: Record<string, unknown>): Promise<{contextFiles: ContextFile[]}>
  buildConfiguredAgentSystemPrompt(params: Record<string, unknown>): string
  mergeWorkspaceSetupState(dir: string, next: {setupCompletedAt?: string}): Promise<unknown>
  buildSkillSnapshot(dir: string, opts: Record<string, unknown>): Promise<{prompt: string}>
}

export type Availability = {ok: true; dir: string} | {ok: false; reason: string}

/** Installs the pinned package if needed; {ok: false} only when the registry is unreachable. */
export async function installOpenClaw(): Promise<Availability> {
  const result = (await ensureOpenClaw()) as {ok: boolean; dir?: string; reason?: string}
  if (result.ok) return {ok: true, dir: result.dir!}
  const reason = result.reason ?? 'the npm registry is unreachable'
  const bar = '!'.repeat(100)
  console.warn(`\n${bar}\n!!! OpenClaw conformance SKIPPED: ${reason}\n!!! The prompt and export were NOT checked against openclaw@${OPENCLAW_VERSION}.\n${bar}\n`)
  return {ok: false, reason}
}

/** Isolates OpenClaw's state (~/.openclaw: its SQLite state DB) in a temp dir. Call before loading. */
export function isolateOpenClawState(): string {
  const state = mkdtempSync(join(tmpdir(), 'clawd-openclaw-state-'))
  process.env.OPENCLAW_STATE_DIR = state
  process.env.OPENCLAW_HOME = state
  return state
}

export async function loadOpenClaw(dir: string): Promise<OpenClaw> {
  const dist = join(dir, 'dist')
  const chunks = readdirSync(dist).filter((f) => f.endsWith('.mjs'))
  const find = async <T>(name: string): Promise<T> => {
    for (const chunk of chunks) {
      if (!readFileSync(join(dist, chunk), 'utf8').includes(`function ${name}(`)) continue
      const mod = (await import(pathToFileURL(join(dist, chunk)).href)) as Record<string, unknown>
      const hit = Object.values(mod).find((v) => typeof v === 'function' && v.name === name)
      if (hit) return hit as T
    }
    throw new Error(`openclaw@${OPENCLAW_VERSION}: no exported function ${name} in ${dist}`)
  }
  // The documented entry for the loader; the rest are internal chunks.
  const harness = (await import(pathToFileURL(join(dist, 'plugin-sdk', 'agent-harness-runtime.js')).href)) as {
    resolveBootstrapContextForRun: OpenClaw['resolveBootstrapContextForRun']
  }
  return {
    dir,
    resolveBootstrapContextForRun: harness.resolveBootstrapContextForRun,
    ensureAgentWorkspace: await find('ensureAgentWorkspace'),
    buildConfiguredAgentSystemPrompt: await find('buildConfiguredAgentSystemPrompt'),
    mergeWorkspaceSetupState: await find('mergeWorkspaceSetupState'),
    buildSkillSnapshot: await find('buildSkillSnapshot'),
  }
}

let sessionCounter = 0

/** OpenClaw's session key or chat type for one of our session kinds. */
export function sessionParams(kind: SessionKind): Record<string, string> {
  // Unique keys: OpenClaw caches loaded bootstrap files per session key.
  const id = `conformance${++sessionCounter}`
  switch (kind) {
    case 'main':
      return {}
    case 'subagent':
      return {sessionKey: `agent:main:subagent:${id}`}
    case 'cron':
      return {sessionKey: `agent:main:cron:${id}`}
    case 'group':
    case 'channel':
      return {sessionKey: `agent:main:${id}`, chatType: kind}
  }
}

const INJECTED_ANCHOR = 'User-editable; OpenClaw loads below as Project Context.\n'

/**
 * OpenClaw's Project Context section for a workspace on disk, as its full system prompt carries
 * it: its loader and budgets (`resolveBootstrapContextForRun`), then its renderer, cut out of the
 * prompt between the "Workspace Files (injected)" note and the cache boundary that follows it.
 */
export async function openclawProjectContext(oc: OpenClaw, workspaceDir: string, opts: PromptOptions = {}): Promise<string> {
  const limits: Record<string, number> = {}
  if (opts.perFileMaxChars !== undefined) limits.bootstrapMaxChars = opts.perFileMaxChars
  if (opts.totalMaxChars !== undefined) limits.bootstrapTotalMaxChars = opts.totalMaxChars
  const config = Object.keys(limits).length > 0 ? {agents: {defaults: limits}} : undefined
  const {contextFiles} = await oc.resolveBootstrapContextForRun({workspaceDir, config, ...sessionParams(opts.sessionKind ?? 'main')})
  const prompt = (files: ContextFile[]) => oc.buildConfiguredAgentSystemPrompt({workspaceDir, contextFiles: files, toolNames: ['read']})
  // What follows the section: the text after the note when there is no section, up to the end of
  // its first non-empty line (the cache boundary, which starts with its own newline).
  const empty = afterAnchor(prompt([]))
  const follower = empty.slice(0, empty.indexOf('\n', empty.search(/\S/)))
  const section = afterAnchor(prompt(contextFiles))
  const end = section.indexOf(`\n${follower}`)
  if (contextFiles.length === 0) return ''
  if (end < 0) throw new Error('OpenClaw prompt: no cache boundary after Project Context')
  return section.slice(0, end)
}

function afterAnchor(prompt: string): string {
  const at = prompt.indexOf(INJECTED_ANCHOR)
  if (at < 0) throw new Error('OpenClaw prompt: no "Workspace Files (injected)" note')
  return prompt.slice(at + INJECTED_ANCHOR.length)
}

/**
 * What every conformance file sets up: the pinned install (or why it is unavailable), a scratch
 * dir removed afterwards, and the package loaded with its state isolated. `oc` is set once the
 * suite's beforeAll has run.
 */
export async function useOpenClaw(prefix: string): Promise<{availability: Awaited<ReturnType<typeof installOpenClaw>>; scratch: string; oc: OpenClaw}> {
  const availability = await installOpenClaw()
  const suite = {availability, scratch: mkdtempSync(join(tmpdir(), prefix)), oc: undefined as unknown as OpenClaw}
  beforeAll(async () => {
    if (!availability.ok) return
    isolateOpenClawState()
    suite.oc = await loadOpenClaw(availability.dir)
  }, 120_000)
  afterAll(() => rmSync(suite.scratch, {recursive: true, force: true}))
  return suite
}
