import type {StopReason, StreamErrorCode, Usage} from '../../contract/stream.js'
import type {AgentContext} from '../context.js'
import {buildSystemPrompt} from '../prompt.js'
import {providerFetch} from '../provider-fetch.js'
import {DEFAULT_BASE_URLS, ProviderError, type ProviderRegistry, splitModelRef} from '../providers/index.js'
import type {SealedKeys} from '../sealed-keys.js'
import type {LiveAnswer} from './live.js'
import type {SessionStore} from './store.js'

export interface AnswerDeps {
  agent: AgentContext
  store: SessionStore
  keys: SealedKeys
  providers: ProviderRegistry
  /** The workspace files the system prompt is built from. */
  workspace: () => Promise<Array<{path: string; content: string}>>
  /** How often a long answer's events are saved for replay. */
  flushEveryMs?: number
}

const KNOWN = new Set(['anthropic', 'openai', 'openai-compatible', 'dev'])

class AnswerFailure extends Error {
  constructor(
    readonly code: StreamErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/**
 * One turn: build the prompt from the workspace and the transcript, open the sealed key only for
 * the provider call, stream the provider's text as contract events, and record the answer. Runs
 * detached from any HTTP response (see LiveAnswer); every path ends with message.end or error.
 */
export async function runAnswer(deps: AnswerDeps, live: LiveAnswer, model: string): Promise<void> {
  const {agent, store} = deps
  const sid = live.sessionId
  live.emit({type: 'session', session_id: sid, instance_id: agent.instanceId})
  live.emit({type: 'message.start', message_id: live.messageId, model})
  const flush = setInterval(() => void store.saveEvents(sid, live.messageId, live.events).catch(() => {}), deps.flushEveryMs ?? 1000)
  flush.unref()
  let text = ''
  let usage: Usage = {input_tokens: 0, output_tokens: 0}
  let stopReason: StopReason = 'end_turn'
  let failure: AnswerFailure | undefined
  try {
    const ref = splitModelRef(model)
    if (!ref) throw new AnswerFailure('internal', `"${model}" is not a provider/model name.`, 'Use provider/model, e.g. dev/echo.')
    const provider = deps.providers.get(KNOWN.has(ref.provider) ? ref.provider : 'openai-compatible')!
    const history = (await store.messages(sid))
      .filter((m) => !(m.role === 'assistant' && m.error))
      .map((m) => ({role: m.role, content: m.content}))
    const files = await deps.workspace()
    const system = buildSystemPrompt(Object.fromEntries(files.map((f) => [f.path, f.content])))
    const call = async (apiKey: string, baseUrl: string | undefined) => {
      const url = baseUrl ?? agent.config.providerBaseUrls?.[ref.provider] ?? DEFAULT_BASE_URLS[ref.provider as 'anthropic'] ?? ''
      const request = {model: ref.model, system, messages: history, apiKey, baseUrl: url, signal: live.abort.signal}
      for await (const event of provider.stream(request, {fetch: providerFetch(agent.fetch, ref.provider)})) {
        if (event.type === 'text') {
          text += event.text
          live.emit({type: 'text.delta', text: event.text})
        } else {
          usage = event.usage
          stopReason = event.stopReason
        }
      }
    }
    const used = await deps.keys.withKey(ref.provider, async (key, stored) => {
      await call(key, stored.base_url ?? undefined)
      return true
    })
    if (!used) {
      if (ref.provider !== 'dev') {
        throw new AnswerFailure('no_key', `This instance has no key for "${ref.provider}".`, `Add one with \`clawd keys set ${ref.provider}\`.`)
      }
      await call('', undefined)
    }
  } catch (error) {
    if (live.abort.signal.aborted) stopReason = 'aborted'
    else if (error instanceof AnswerFailure) failure = error
    else if (error instanceof ProviderError) failure = new AnswerFailure(error.code, error.message, error.hint)
    else {
      agent.log('error', 'answer failed', {session: sid, error: (error as Error).message})
      failure = new AnswerFailure('internal', 'The agent failed while answering.', 'Try again.')
    }
  } finally {
    clearInterval(flush)
  }
  if (failure) {
    live.emit({type: 'error', code: failure.code, message: failure.message, ...(failure.hint ? {hint: failure.hint} : {})})
  } else {
    live.emit({type: 'message.end', message_id: live.messageId, stop_reason: stopReason, usage})
  }
  const now = new Date().toISOString()
  await store
    .append(
      sid,
      {
        id: live.messageId,
        role: 'assistant',
        content: text,
        created_at: now,
        model,
        usage,
        stop_reason: failure ? 'error' : stopReason,
        ...(failure ? {error: {code: failure.code, message: failure.message}} : {}),
      },
      usage,
    )
    .catch((error) => agent.log('error', 'could not save the answer', {session: sid, error: (error as Error).message}))
  await store.saveEvents(sid, live.messageId, live.events).catch(() => {})
  live.finish()
}
