import {lookup} from 'node:dns/promises'
import {BlockList, isIP} from 'node:net'
import {settleWithin} from './settle-within.js'

/**
 * Where a key's base URL may point (issue 7, DESIGN §1 "Abuse is bounded"). An instance calls its
 * provider at the key's base URL, so a base URL is a request the service makes for a user: aimed
 * at a cloud metadata service or a link-local address, it would hand the user the host's
 * credentials or its neighbours. Those are refused unless the operator allows them. Loopback and
 * private networks stay allowed: a local Ollama or vLLM is the point of `openai-compatible`.
 */

const forbidden = new BlockList()
// IPv4 link-local, which holds the metadata services of AWS, GCP, Azure, OCI (169.254.169.254)
// and ECS task metadata (169.254.170.2).
forbidden.addSubnet('169.254.0.0', 16, 'ipv4')
// Alibaba Cloud's metadata service.
forbidden.addAddress('100.100.100.200', 'ipv4')
// IPv6 link-local, and AWS's IPv6 metadata endpoint.
forbidden.addSubnet('fe80::', 10, 'ipv6')
forbidden.addAddress('fd00:ec2::254', 'ipv6')

/** Names of metadata services that resolve only inside their cloud (so DNS would not tell). */
const FORBIDDEN_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal'])

/** The IPv4 address inside an IPv6 one that carries it (mapped, compatible, NAT64), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase()
  const dotted = /^(?:::ffff:(?:0:)?|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (dotted) return dotted[1]
  // The same forms written in hex (`::ffff:a9fe:a9fe`), as URL parsers normalise them.
  const hex = /^(?:::ffff:(?:0:)?|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (!hex) return undefined
  const hi = parseInt(hex[1]!, 16)
  const lo = parseInt(hex[2]!, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/** True for an address a base URL must not reach: link-local or a metadata service, in any spelling. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) return forbidden.check(bare, 'ipv4')
  if (family !== 6) return false
  const v4 = embeddedIpv4(bare)
  if (v4 && isIP(v4) === 4) return forbidden.check(v4, 'ipv4')
  return forbidden.check(bare, 'ipv6')
}

export type Resolver = (host: string) => Promise<string[]>

/** The system resolver (what the agent's connection would use), bounded in time: no answer in time, no addresses. */
const systemResolver: Resolver = async (host) => (await settleWithin(lookup(host, {all: true, verbatim: true}), 3000, [])).map((a) => a.address)

export type OutboundVerdict = {allowed: true} | {allowed: false; reason: string}

/**
 * Checks a base URL: its host as written, then every address it resolves to now. A name that does
 * not resolve is let through: nothing can be reached through it today, and the sandbox's egress
 * proxy decides at connection time.
 */
export async function checkOutboundUrl(url: string, opts: {allowPrivate: boolean; resolve?: Resolver}): Promise<OutboundVerdict> {
  if (opts.allowPrivate) return {allowed: true}
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '')
  } catch {
    return {allowed: false, reason: 'it is not a valid URL'}
  }
  const literal = host.replace(/^\[|\]$/g, '')
  if (isIP(literal)) {
    return isForbiddenAddress(literal) ? {allowed: false, reason: `${literal} is a link-local or cloud metadata address`} : {allowed: true}
  }
  if (FORBIDDEN_NAMES.has(host)) return {allowed: false, reason: `${host} is a cloud metadata service`}
  let addresses: string[]
  try {
    addresses = await (opts.resolve ?? systemResolver)(host)
  } catch {
    return {allowed: true}
  }
  const bad = addresses.find((a) => isForbiddenAddress(a))
  return bad ? {allowed: false, reason: `${host} resolves to ${bad}, a link-local or cloud metadata address`} : {allowed: true}
}
