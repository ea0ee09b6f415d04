import type {AgentFetch} from './context.js'
import {REDIRECTS} from './egress-fetch.js'
import {egressRefusal, ProviderError} from './providers/errors.js'

/**
 * The fetch a provider call gets, named by the user's key (`ollama`, not `openai-compatible`):
 *
 * - it follows no redirect. A provider endpoint that redirects would take the key (in whatever
 *   header that provider uses) to wherever it points; the answer is an error naming the target.
 * - a refusal by the server's egress policy is its own error (`egress_refused`), never a 403 that
 *   reads like a bad key: the provider never saw the request.
 */
export function providerFetch(fetch: AgentFetch, keyName: string): AgentFetch {
  return async (url, init) => {
    let response: Response
    try {
      response = await fetch(url, {...init, redirect: 'manual'})
    } catch (error) {
      const refused = egressRefusal(error)?.target
      if (typeof refused === 'string' && refused) throw egressRefused(keyName, refused)
      throw error
    }
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel().catch(() => {})
      throw redirected(keyName, url, response.headers.get('location'))
    }
    return response
  }
}

export function egressRefused(keyName: string, target: string): ProviderError {
  return new ProviderError(
    'egress_refused',
    `The server's egress policy refused ${target}, so the request for "${keyName}" never left the server (the key was not rejected).`,
    {hint: `The server's operator allows it with \`clawd server start --egress-allow ${target}\`.`},
  )
}

function redirected(keyName: string, from: string, location: string | null): ProviderError {
  // Only origin and path: a query string in a Location header may carry a token.
  const target = location ? safeTarget(location, from) : 'an address it did not give'
  return new ProviderError(
    'provider_connection',
    `The endpoint of "${keyName}" (${new URL(from).origin}) redirected to ${target}; clawd follows no redirect from a provider, so the key was not sent there.`,
    {hint: `Check the base URL; if you trust the new address, set it with \`clawd keys set ${keyName} --base-url URL\`.`},
  )
}

function safeTarget(location: string, base: string): string {
  const url = URL.parse(location, base)
  return url ? `${url.origin}${url.pathname}`.slice(0, 200) : 'an invalid address'
}
