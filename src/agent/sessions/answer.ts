import {isKnownProvider, providerForKeyName} from '../../contract/core.js'
import type {TranscriptMessage} from '../../contract/sessions.js'
import type {StreamErrorCode} from '../../contract/stream.js'
import type {AgentContext} from '../context.js'
import {buildSystemPrompt, type SessionKind} from '../prompt.js'
import {providerFetch} from '../provider-fetch.js'
import {ProviderError} from '../providers/errors.js'
import {DEFAULT_BASE_URLS, type ProviderRegistry, splitModelRef} from '../providers/registry.js'
import type {SealedKeys} from '../sealed-keys.js'
import type {ToolName} from '../tools/types.js'
import type {WorkspaceStore} from '../workspace-store.js'
import {historyFromTranscript} from './history.js'
import {toolLoopLimits} from './limits.js'
import type {LiveAnswer} from './live.js'
import type {SessionStore} from './store.js'
import {offeredTools, runToolLoop, ToolLimitError, type TurnProgress} from './tool-loop.js'

export interface AnswerDeps {
  agent: AgentContext
  store: SessionStore
  keys: SealedKeys
  providers: ProviderRegistry
  /** The workspace files the system prompt is built from. */
  workspace: Pick<WorkspaceStore, 'files'>
  /** How often a long answer's events and its text so far are saved (for replay, and to survive a crash). */
  flushEveryMs?: number
}

export interface AnswerOptions {
  /** The tools this message may use (from the gateway's ALLOWED_TOOLS_HEADER); empty: chat only. */
  allowedTools?: readonly ToolName[]
  /** Which workspace files the prompt loads (OpenClaw's session kinds: a group drops MEMORY.md). */
  sessionKind?: SessionKind
  /** Ask the person before each exec, write and edit (`clawd chat --approve`). */
  approve?: boolean
}

/**
 * One turn: build the prompt from the workspace and the transcript, open the sealed key only for
 * the provider calls, run the tool loop (text and tool calls as contract events), and record the
 * answer. What has been said so far is saved every `flushEveryMs`, so an agent killed mid-answer
 * still has it (marked interrupted) after a restart. Runs detached from any HTTP response (see
 * LiveAnswer); every path ends with message.end or error.
 */
export async function runAnswer(deps: AnswerDeps, live: LiveAnswer, model: string, opts: AnswerOptions = {}): Promise<void> {
  const {agent, store} = deps
  const sid = live.sessionId
  const startedAt = new Date().toISOString()
  const progress: TurnProgress = {text: '', usage: {input_tokens: 0, output_tokens: 0}, stopReason: 'end_turn', tools: []}
  const snapshot = (): TranscriptMessage => ({
    id: live.messageId,
    role: 'assistant',
    content: progress.text,
    created_at: startedAt,
    model,
    usage: progress.usage,
    ...(progress.tools.length ? {tools: progress.tools.map((t) => ({...t}))} : {}),
  })
  live.emit({type: 'session', session_id: sid, instance_id: agent.instanceId})
  live.emit({type: 'message.start', message_id: live.messageId, model})
  const flush = setInterval(() => {
    void store.saveEvents(sid, live.messageId, live.events).catch(() => {})
    void store.saveDraft(sid, snapshot()).catch(() => {})
  }, deps.flushEveryMs ?? 1000)
  flush.unref()
  let failure: {code: StreamErrorCode; message: string; hint?: string} | undefined
  let aborted = false
  try {
    const ref = splitModelRef(model)
    if (!ref) throw new ProviderError('internal', `"${model}" is not a provider/model name.`, {hint: 'Use provider/model, e.g. dev/echo.'})
    const provider = deps.providers.get(providerForKeyName(ref.provider))!
    const allowed = opts.allowedTools ?? []
    const history = historyFromTranscript(await store.messages(sid), {withTools: offeredTools(agent.toolbox, allowed).length > 0})
    const files = await deps.workspace.files()
    // Skills are listed only when the model may read them; limits are the instance's (OpenClaw's
    // bootstrapMaxChars and bootstrapTotalMaxChars).
    const system = buildSystemPrompt(Object.fromEntries(files.map((f) => [f.path, f.content])), {
      sessionKind: opts.sessionKind ?? 'main',
      readToolName: opts.allowedTools?.includes('read') ? 'read' : undefined,
      perFileMaxChars: agent.config.bootstrapMaxChars,
      totalMaxChars: agent.config.bootstrapTotalMaxChars,
    })
    const limits = toolLoopLimits(agent.config)
    const call = async (apiKey: string, baseUrl: string | undefined) => {
      const url = baseUrl ?? agent.config.providerBaseUrls?.[ref.provider] ?? (isKnownProvider(ref.provider) ? DEFAULT_BASE_URLS[ref.provider] : undefined) ?? ''
      await runToolLoop(
        {
          provider,
          providerDeps: {fetch: providerFetch(agent.fetch, ref.provider)},
          request: {model: ref.model, system, apiKey, baseUrl: url},
          history,
          toolbox: agent.toolbox,
          allowed,
          limits,
          signal: live.abort.signal,
          ...(opts.approve ? {approve: (c, signal) => live.approvals.wait(c.id, limits.approvalTimeoutMs, signal)} : {}),
          emit: (event) => live.emit(event),
        },
        progress,
      )
    }
    const used = await deps.keys.withKey(ref.provider, async (key, stored) => {
      await call(key, stored.base_url ?? undefined)
      return true
    })
    if (!used) {
      if (ref.provider !== 'dev') {
        throw new ProviderError('no_key', `This instance has no key for "${ref.provider}".`, {hint: `Add one with \`clawd keys set ${ref.provider}\`.`})
      }
      await call('', undefined)
    }
  } catch (error) {
    if (live.abort.signal.aborted) aborted = true
    else if (error instanceof ProviderError) failure = error
    else if (error instanceof ToolLimitError) failure = {code: 'tool_limit', message: error.message, hint: error.hint}
    else {
      agent.log('error', 'answer failed', {session: sid, error: (error as Error).message})
      failure = {code: 'internal', message: 'The agent failed while answering.', hint: 'Try again.'}
    }
  } finally {
    clearInterval(flush)
  }
  const stopReason = aborted ? 'aborted' : progress.stopReason === 'tool_use' ? 'end_turn' : progress.stopReason
  if (failure) {
    live.emit({type: 'error', code: failure.code, message: failure.message, ...(failure.hint ? {hint: failure.hint} : {})})
  } else {
    live.emit({type: 'message.end', message_id: live.messageId, stop_reason: stopReason, usage: progress.usage})
  }
  await store
    .append(
      sid,
      {
        ...snapshot(),
        created_at: new Date().toISOString(),
        stop_reason: failure ? 'error' : stopReason,
        ...(failure ? {error: {code: failure.code, message: failure.message}} : {}),
      },
      progress.usage,
    )
    .then(() => store.deleteDraft(sid))
    .catch((error) => agent.log('error', 'could not save the answer', {session: sid, error: (error as Error).message}))
  await store.saveEvents(sid, live.messageId, live.events).catch(() => {})
  live.finish()
}
