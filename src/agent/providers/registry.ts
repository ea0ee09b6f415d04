import type {ProviderName} from '../../contract/core.js'
import {anthropicProvider} from './anthropic.js'
import {devProvider} from './dev.js'
import {openaiCompatibleProvider, openaiProvider} from './openai.js'
import type {Provider} from './types.js'

/** Where each provider lives unless the server or the key says otherwise. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderName, string | undefined>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  // No public default: Ollama, vLLM, LM Studio and OpenRouter each have their own address.
  'openai-compatible': undefined,
  dev: undefined,
}

export type ProviderRegistry = ReadonlyMap<string, Provider>

/** Provider name → provider; `overrides` replace or add entries (e.g. a slower dev provider). */
export function createProviderRegistry(overrides: readonly Provider[] = []): ProviderRegistry {
  const registry = new Map<string, Provider>(
    [anthropicProvider, openaiProvider, openaiCompatibleProvider, devProvider].map(p => [p.name, p]),
  )
  for (const provider of overrides) registry.set(provider.name, provider)
  return registry
}

/** `anthropic/claude-sonnet-4-5` → {provider: 'anthropic', model: 'claude-sonnet-4-5'}; models may contain '/'. */
export function splitModelRef(ref: string): {provider: string; model: string} | undefined {
  const slash = ref.indexOf('/')
  if (slash <= 0 || slash === ref.length - 1) return undefined
  return {provider: ref.slice(0, slash), model: ref.slice(slash + 1)}
}
