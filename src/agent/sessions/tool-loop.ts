import {MAX_TOOL_CALL_ID_CHARS} from '../../contract/core.js'
import type {TranscriptToolCall} from '../../contract/sessions.js'
import type {StreamEvent, Usage} from '../../contract/stream.js'
import type {Provider, ProviderDeps, ProviderMessage, ProviderRequest, ProviderStopReason, ProviderToolCall, ProviderToolResult} from '../providers/types.js'
import type {ToolDefinition, ToolName, Toolbox, ToolResult} from '../tools/types.js'
import {clampToBudget} from '../prompt-trim.js'
import type {ToolLoopLimits} from './limits.js'

/** The tools that ask the person first when the message asked for approval (`clawd chat --approve`). */
export const TOOLS_NEEDING_APPROVAL: ReadonlySet<string> = new Set(['exec', 'write', 'edit'])

/** Longest `output` on a tool.end event or in the transcript; the model gets the tool's whole output. */
export const DISPLAY_OUTPUT_CHARS = 500

export type ApprovalAnswer = 'approved' | 'denied' | 'no_answer'

export interface ToolLoopOptions {
  provider: Provider
  providerDeps: ProviderDeps
  /** Everything of the request but the conversation, the tools and the signal. */
  request: Omit<ProviderRequest, 'messages' | 'tools' | 'signal'>
  history: readonly ProviderMessage[]
  /** Absent when this agent has no tools (then no tool is ever offered). */
  toolbox: Toolbox | undefined
  /** The tools this message may use (ALLOWED_TOOLS_HEADER); empty means chat only. */
  allowed: readonly ToolName[]
  limits: ToolLoopLimits
  /** The answer's own abort (Ctrl-C, the abort route, no reader, shutdown). */
  signal: AbortSignal
  /** Set when the person wants to be asked before TOOLS_NEEDING_APPROVAL run. */
  approve?: (call: {id: string; name: string}, signal: AbortSignal) => Promise<ApprovalAnswer>
  emit: (event: StreamEvent) => void
}

/** What the turn has produced so far; kept up to date as it runs, so a failure keeps what was said and done. */
export interface TurnProgress {
  text: string
  usage: Usage
  stopReason: ProviderStopReason
  tools: TranscriptToolCall[]
}

/** The loop's bound was hit: too many model calls, or too long. */
export class ToolLimitError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
    this.name = 'ToolLimitError'
  }
}

/**
 * One answer: model → tool calls → results → model, until the model ends its turn. Text streams
 * out as `text.delta`; each call shows as `tool.start` then `tool.end`. Calls of one step run in
 * parallel. Only tools in `allowed` are offered, and only those run: a call to anything else is
 * answered with a tool error, never executed. Bounded by `limits.maxSteps` model calls and
 * `limits.maxMs` (tool runs included) when tools are offered.
 */
export async function runToolLoop(opts: ToolLoopOptions, progress: TurnProgress): Promise<void> {
  const definitions = offeredTools(opts.toolbox, opts.allowed)
  const offered = new Set(definitions.map((d) => d.name as string))
  const deadline = offered.size > 0 ? AbortSignal.timeout(opts.limits.maxMs) : undefined
  const signal = deadline ? AbortSignal.any([opts.signal, deadline]) : opts.signal
  const timedOut = () => deadline?.aborted === true && !opts.signal.aborted
  const messages: ProviderMessage[] = [...opts.history]
  const callIds = new Set<string>() // the ids this answer's calls go by (answerCallId)

  try {
    for (let step = 1; ; step++) {
      const calls: ProviderToolCall[] = []
      let stepText = ''
      const request: ProviderRequest = {...opts.request, messages, ...(definitions.length ? {tools: definitions} : {}), signal}
      for await (const event of opts.provider.stream(request, opts.providerDeps)) {
        if (event.type === 'text') {
          stepText += event.text
          progress.text += event.text
          opts.emit({type: 'text.delta', text: event.text})
        } else if (event.type === 'tool_call') {
          calls.push({id: event.id, name: event.name, input: event.input})
        } else {
          progress.usage = {input_tokens: progress.usage.input_tokens + event.usage.input_tokens, output_tokens: progress.usage.output_tokens + event.usage.output_tokens}
          progress.stopReason = event.stopReason
        }
      }
      if (calls.length === 0) {
        // A model that says tool_use but calls nothing has still ended its turn.
        if (progress.stopReason === 'tool_use') progress.stopReason = 'end_turn'
        return
      }
      if (step >= opts.limits.maxSteps) {
        throw new ToolLimitError(
          `The agent stopped the model after ${opts.limits.maxSteps} steps: it was still calling tools.`,
          'Ask for something smaller, or raise the limit on the server (agent toolMaxSteps).',
        )
      }
      const results = await Promise.all(calls.map((call) => runCall(opts, offered, call, signal, progress, callIds)))
      if (signal.aborted) throw signal.reason
      messages.push({role: 'assistant', content: stepText, toolCalls: calls}, {role: 'tool', results})
      // Text of the next step starts a new paragraph after this step's.
      if (stepText && !stepText.endsWith('\n')) progress.text += '\n'
    }
  } catch (error) {
    if (timedOut()) {
      throw new ToolLimitError(
        `The agent stopped the answer after ${formatDuration(opts.limits.maxMs)}, the limit for one answer that uses tools.`,
        'Ask for something smaller, or raise the limit on the server (agent toolMaxMs).',
      )
    }
    throw error
  }
}

/** The tools offered to the model for a message: none without a toolbox or an allowed tool. */
export function offeredTools(toolbox: Toolbox | undefined, allowed: readonly ToolName[]): ToolDefinition[] {
  return toolbox && allowed.length > 0 ? toolbox.definitions(allowed) : []
}

/**
 * The id a call goes by on the stream, in the transcript and on the approve route: the provider's,
 * with a #n suffix when a call of this answer had it already (providers reuse ids) or it is too
 * long for the route. So an answer reaches only the call it was given for.
 */
function answerCallId(providerId: string, taken: Set<string>): string {
  let id = providerId.slice(0, MAX_TOOL_CALL_ID_CHARS)
  for (let n = 2; taken.has(id); n++) id = `${providerId.slice(0, MAX_TOOL_CALL_ID_CHARS - 1 - String(n).length)}#${n}`
  taken.add(id)
  return id
}

async function runCall(
  opts: ToolLoopOptions,
  offered: ReadonlySet<string>,
  call: ProviderToolCall,
  signal: AbortSignal,
  progress: TurnProgress,
  callIds: Set<string>,
): Promise<ProviderToolResult> {
  const parsed = parseArguments(call.input)
  const args = parsed.ok ? parsed.value : {}
  const runnable = offered.has(call.name) && parsed.ok
  const ask = runnable && opts.approve !== undefined && TOOLS_NEEDING_APPROVAL.has(call.name)
  const id = answerCallId(call.id, callIds)
  const record: TranscriptToolCall = {id, name: call.name, arguments: args, ok: false, output: ''}
  progress.tools.push(record)
  opts.emit({type: 'tool.start', id, name: call.name, arguments: args, ...(ask ? {needs_approval: true} : {})})

  let result: ToolResult
  let skipped: TranscriptToolCall['skipped']
  if (!offered.has(call.name)) {
    const names = [...offered].join(', ')
    result = {ok: false, output: `There is no tool named "${call.name}" for this message. The tools you may call are: ${names || 'none'}.`}
  } else if (!parsed.ok) {
    result = {ok: false, output: `The arguments of this call are not a JSON object (${parsed.error}). Call the tool again with valid JSON arguments.`}
  } else {
    const answer = ask ? await opts.approve!({id, name: call.name}, signal) : 'approved'
    if (answer !== 'approved') {
      skipped = answer
      result = {
        ok: false,
        output:
          answer === 'denied'
            ? 'The user declined this call, so it did not run. Do not retry it unless the user asks; continue without it.'
            : 'Nobody approved this call in time, so it did not run.',
      }
    } else {
      result = await opts.toolbox!.run(call.name as ToolName, args, signal).catch(() => ({ok: false, output: 'The tool failed unexpectedly.'}))
    }
  }
  record.ok = result.ok
  record.output = clampToBudget(result.output, DISPLAY_OUTPUT_CHARS)
  if (skipped) record.skipped = skipped
  opts.emit({type: 'tool.end', id, name: call.name, ok: result.ok, output: record.output, ...(skipped ? {skipped} : {})})
  return {id: call.id, name: call.name, ok: result.ok, output: result.output}
}

function parseArguments(input: string): {ok: true; value: Record<string, unknown>} | {ok: false; error: string} {
  let value: unknown
  try {
    value = JSON.parse(input.trim() === '' ? '{}' : input)
  } catch {
    return {ok: false, error: 'not valid JSON'}
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {ok: false, error: 'not an object'}
  return {ok: true, value: value as Record<string, unknown>}
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}
