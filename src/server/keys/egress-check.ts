import {allowMatcher} from '../../runtime/egress-proxy.js'
import type {ServerConfig} from '../config.js'

/**
 * HOST:PORT of `url` when the server's egress policy (`--egress-allow`) would refuse it, so
 * `keys set` can say so at once instead of the first chat failing. Undefined when it is allowed,
 * or when there is no URL to check (the provider's built-in endpoint).
 */
export function refusedEgressTarget(config: Pick<ServerConfig, 'egressAllow'>, url: string | null | undefined): string | undefined {
  const parsed = url ? URL.parse(url) : null
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80))
  if (allowMatcher(config.egressAllow)(parsed.hostname, port)) return undefined
  return `${parsed.hostname}:${port}`
}
