import type {StopReason, Usage} from '../../contract/stream.js'

/** A tool the model may call: JSON Schema parameters, which both wire formats take as is. */
export interface ProviderTool {
  name: string
  description: string
  parameters: Record<string, unknown>
}

/** A tool call the model made. */
export interface ProviderToolCall {
  /** The provider's id (Anthropic `toolu_…`, OpenAI `call_…`), echoed with the result. */
  id: string
  name: string
  /** The arguments exactly as the model wrote them: JSON text, not yet checked. */
  input: string
}

/** What one tool call gave, told to the model in the next request. */
export interface ProviderToolResult {
  id: string
  name: string
  ok: boolean
  output: string
}

/**
 * A conversation as every provider understands it: user text, assistant text with the tool calls
 * it made, and the results of those calls (one `tool` message per step, carrying all of them).
 */
export type ProviderMessage =
  | {role: 'user'; content: string}
  | {role: 'assistant'; content: string; toolCalls?: readonly ProviderToolCall[]}
  | {role: 'tool'; results: readonly ProviderToolResult[]}

/** What the agent asks of any provider; each provider maps it to its own wire format. */
export interface ProviderRequest {
  /** The provider's own model name (the part after `provider/`). */
  model: string
  /** The system prompt; '' means none. */
  system: string
  messages: ReadonlyArray<ProviderMessage>
  /** Offered to the model; none (or empty) means a plain chat request without a `tools` field. */
  tools?: readonly ProviderTool[]
  /** Held in memory only for the call; never logged or put in an error message. */
  apiKey: string
  /** e.g. https://api.anthropic.com, https://api.openai.com/v1, http://127.0.0.1:11434/v1 */
  baseUrl: string
  maxTokens?: number
  signal: AbortSignal
}

/** How one model call stopped: the contract's reasons, plus `tool_use` (the model waits for tool results). */
export type ProviderStopReason = StopReason | 'tool_use'

/**
 * A provider's stream: text as it arrives, each tool call once its arguments are complete, then
 * `done`. Tool calls always come before `done`.
 */
export type ProviderEvent =
  | {type: 'text'; text: string}
  | ({type: 'tool_call'} & ProviderToolCall)
  | {type: 'done'; stopReason: ProviderStopReason; usage: Usage}

/** The agent passes a fetch that goes through the egress proxy; tests pass the global fetch. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>

export interface ProviderTiming {
  /** Longest wait for response headers or for the next bytes of the body. */
  idleTimeoutMs: number
  /** Attempts in all (1 = no retry); retries happen only before the first text token. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  /** No retry starts once this much time has passed since the first attempt. */
  retryBudgetMs: number
}

export const DEFAULT_TIMING: ProviderTiming = {
  // Providers send keep-alives (Anthropic `ping`) while a model thinks; a minute of silence is a stall.
  idleTimeoutMs: 60_000,
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  retryBudgetMs: 30_000,
}

export interface ProviderDeps {
  fetch: FetchLike
  timing?: Partial<ProviderTiming>
  /** Waits between retries; replaced in tests only to observe delays. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Jitter source in [0, 1). */
  random?: () => number
}

export interface Provider {
  readonly name: string
  stream(req: ProviderRequest, deps: ProviderDeps): AsyncIterable<ProviderEvent>
}
