/**
 * The contract's zod-free core: the ids, patterns, limits and names that both the zod schemas
 * (src/contract/*.ts) and the agent build on. The agent imports this at run time and must not
 * load zod (it costs ~8 MB per instance; see src/contract/agent.ts), so nothing here may import
 * it. Change a pattern or a limit here and both sides follow.
 */

/** A session id: `ses_` and 20 base32 characters (src/ids.ts newId). */
export const SESSION_ID_PATTERN = /^ses_[a-z2-7]{20}$/
/** A message id: `msg_` and 20 base32 characters. */
export const MESSAGE_ID_PATTERN = /^msg_[a-z2-7]{20}$/

/** Model names are `provider/model`, e.g. `anthropic/claude-sonnet-4-5` or `dev/echo`. */
export const MODEL_REF_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}\/[A-Za-z0-9._:/-]{1,95}$/
export const MAX_MODEL_REF_CHARS = 128

/**
 * A key's name: a known provider, or a custom name for another OpenAI-compatible endpoint.
 * Lowercase, starts with a letter, 2–32 characters, so it is also a valid provider part of a
 * model name and safe in a URL.
 */
export const KEY_NAME_PATTERN = /^[a-z][a-z0-9-]{1,31}$/

/** Unpadded base64url (ciphertexts, encapsulated keys, AAD on the wire); lengths are checked apart. */
export const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/

/** The largest message a user may send: 100k characters. */
export const MAX_MESSAGE_CHARS = 100_000
/** A session's title. */
export const MAX_TITLE_CHARS = 200
/** The id of a tool call a person approves or refuses. */
export const MAX_TOOL_CALL_ID_CHARS = 128

/**
 * Providers the agent speaks (DESIGN §5). `dev` is the offline provider of the local server and
 * the demo; it accepts any key. Any other key name speaks `openai-compatible`.
 */
export const KNOWN_PROVIDERS = ['anthropic', 'openai', 'openai-compatible', 'dev'] as const
export type ProviderName = (typeof KNOWN_PROVIDERS)[number]

export function isKnownProvider(name: string): name is ProviderName {
  return (KNOWN_PROVIDERS as readonly string[]).includes(name)
}

/** Which provider protocol a key name (or a model's provider part) speaks: its own if known, else OpenAI-compatible. */
export function providerForKeyName(name: string): ProviderName {
  return isKnownProvider(name) ? name : 'openai-compatible'
}

/**
 * The per-call tool bounds the server may set in the agent's init config (`config.tools.limits`);
 * src/agent/tools/limits.ts says what each means and holds the defaults.
 */
export const TOOL_LIMIT_NAMES = [
  'maxOutputChars',
  'execTimeoutMs',
  'execMaxTimeoutMs',
  'execMemoryMb',
  'execMaxProcs',
  'execCpuSeconds',
  'execDiskMb',
  'execMaxFileMb',
  'execMaxOutputBytes',
  'webFetchTimeoutMs',
  'webFetchMaxResponseBytes',
] as const
export type ToolLimitName = (typeof TOOL_LIMIT_NAMES)[number]
