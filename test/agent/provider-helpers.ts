import {onTestFinished} from 'vitest'
import {ProviderError} from '../../src/agent/providers/errors.js'
import type {Provider, ProviderEvent, ProviderRequest} from '../../src/agent/providers/types.js'
import {startProviderServer, type ProviderServer, type ProviderServerOptions} from '../helpers/provider-server.js'

export function request(overrides: Partial<ProviderRequest> & Pick<ProviderRequest, 'baseUrl' | 'apiKey'>): ProviderRequest {
  return {
    model: 'test-model',
    system: 'You are a test.',
    messages: [
      {role: 'user', content: 'first'},
      {role: 'assistant', content: 'reply'},
      {role: 'user', content: 'hello there'},
    ],
    signal: new AbortController().signal,
    ...overrides,
  }
}

export interface Collected {
  texts: string[]
  text: string
  toolCalls: Array<{id: string; name: string; input: string}>
  done: Extract<ProviderEvent, {type: 'done'}> | undefined
  error: ProviderError | undefined
}

/** Drains a provider stream; a failure is returned (it must be a ProviderError), not thrown. */
export async function collect(
  stream: AsyncIterable<ProviderEvent>,
  onEvent?: (event: ProviderEvent, soFar: Collected) => void | Promise<void>,
): Promise<Collected> {
  const out: Collected = {texts: [], text: '', toolCalls: [], done: undefined, error: undefined}
  try {
    for await (const event of stream) {
      if (event.type === 'text') {
        out.texts.push(event.text)
        out.text += event.text
      } else if (event.type === 'tool_call') {
        if (out.done) throw new Error('a tool call after done')
        out.toolCalls.push({id: event.id, name: event.name, input: event.input})
      } else {
        if (out.done) throw new Error('two done events')
        out.done = event
      }
      await onEvent?.(event, out)
    }
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err
    out.error = err
  }
  return out
}

/** The recorded streams each provider is run against, as one case per (provider, fixture). */
export function fixturesFor(table: Array<[Provider, string[]]>): Array<{fixture: string; provider: Provider}> {
  return table.flatMap(([provider, fixtures]) => fixtures.map(fixture => ({fixture, provider})))
}

/** startProviderServer for the running test: closed when the test finishes. */
export async function serveForTest(options: ProviderServerOptions): Promise<ProviderServer> {
  const server = await startProviderServer(options)
  onTestFinished(() => server.close())
  return server
}
