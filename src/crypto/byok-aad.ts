/**
 * The additional authenticated data of a sealed BYOK key (DESIGN §1): it binds the ciphertext to
 * the user, the instance, the key name, the endpoint and the version, so a ciphertext cannot be
 * replayed for another instance, under another name, as an older version — nor pointed at another
 * host: the base URL the user chose is bound too, so a compromised API cannot send the key elsewhere.
 *
 * Whoever opens or forwards a ciphertext rebuilds these bytes from its own records (the API from
 * its rows, the instance from its identity), never from a copy the client sent along.
 *
 * Layout (all integers big-endian):
 *   "clawd/byok-aad" 0x00 0x02          tag and format version
 *   u32 length ‖ UTF-8 user id
 *   u32 length ‖ UTF-8 instance id
 *   u32 length ‖ UTF-8 key name
 *   u32 length ‖ UTF-8 base URL ('' when the provider's default endpoint is used)
 *   u64 version
 * Every field is length-prefixed or fixed-width, so no two different tuples give the same bytes
 * whatever characters the fields contain, and `decodeByokAad` recovers the tuple exactly.
 *
 * A channel credential (a Telegram bot token, issue 17) is sealed the same way, with one more
 * field saying what it is, under format version 3, so a provider key can never be posted as a
 * channel token or the other way round (a v2 AAD and a v3 AAD never share bytes):
 *   "clawd/byok-aad" 0x00 0x03 ‖ u32 length ‖ UTF-8 kind ("channel") ‖ the v2 fields as above
 * For a channel, the key name is the channel kind ("telegram") and the base URL its Bot API server.
 */
export interface ByokAadFields {
  userId: string
  instanceId: string
  keyName: string
  /** The key's own endpoint (`keys set --base-url`), or '' for the provider's default. */
  baseUrl: string
  /** A positive integer that grows with each upload of the same key name. */
  version: number
  /** 'channel' for a channel credential; absent (a provider key) otherwise. */
  kind?: 'channel'
}

const TAG = new TextEncoder().encode('clawd/byok-aad\u0000\u0002')
const CHANNEL_TAG = new TextEncoder().encode('clawd/byok-aad\u0000\u0003')
const CHANNEL_KIND = new TextEncoder().encode('channel')
/** Far above any id or name we issue; keeps a malformed input from making a huge buffer. */
const MAX_FIELD_BYTES = 1024

export function encodeByokAad(fields: ByokAadFields): Uint8Array {
  const parts = [fields.userId, fields.instanceId, fields.keyName, fields.baseUrl].map((value, i) => utf8(value, FIELD_NAMES[i]!))
  if (!Number.isSafeInteger(fields.version) || fields.version < 1) {
    throw new TypeError('version must be a positive safe integer')
  }
  if (fields.kind !== undefined && fields.kind !== 'channel') throw new TypeError('kind must be "channel" or absent')
  const tag = fields.kind === 'channel' ? CHANNEL_TAG : TAG
  if (fields.kind === 'channel') parts.unshift(CHANNEL_KIND)
  const size = tag.length + parts.reduce((n, p) => n + 4 + p.length, 0) + 8
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  out.set(tag, 0)
  let at = tag.length
  for (const part of parts) {
    view.setUint32(at, part.length)
    out.set(part, at + 4)
    at += 4 + part.length
  }
  view.setBigUint64(at, BigInt(fields.version))
  return out
}

/** The inverse of `encodeByokAad`; throws on anything it would not have produced. */
export function decodeByokAad(bytes: Uint8Array): ByokAadFields {
  const fail = (): never => {
    throw new TypeError('not a clawd BYOK AAD')
  }
  const channel = bytes.length >= CHANNEL_TAG.length && CHANNEL_TAG.every((b, i) => bytes[i] === b)
  if (!channel && (bytes.length < TAG.length || !TAG.every((b, i) => bytes[i] === b))) fail()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})
  let at = TAG.length
  const strings: string[] = []
  const fieldCount = FIELD_NAMES.length + (channel ? 1 : 0)
  for (let i = 0; i < fieldCount; i++) {
    if (at + 4 > bytes.length) fail()
    const length = view.getUint32(at)
    if (length > MAX_FIELD_BYTES || at + 4 + length > bytes.length) fail()
    try {
      strings.push(decoder.decode(bytes.subarray(at + 4, at + 4 + length)))
    } catch {
      fail()
    }
    at += 4 + length
  }
  if (at + 8 !== bytes.length) fail()
  const version = view.getBigUint64(at)
  if (version < 1n || version > BigInt(Number.MAX_SAFE_INTEGER)) fail()
  if (channel && strings.shift() !== 'channel') fail()
  const fields: ByokAadFields = {userId: strings[0]!, instanceId: strings[1]!, keyName: strings[2]!, baseUrl: strings[3]!, version: Number(version)}
  return channel ? {...fields, kind: 'channel'} : fields
}

const FIELD_NAMES = ['userId', 'instanceId', 'keyName', 'baseUrl'] as const

function utf8(value: string, name: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  // A lone surrogate would be encoded as U+FFFD, making two different strings encode alike.
  if (/\p{Cs}/u.test(value)) throw new TypeError(`${name} is not well-formed Unicode`)
  const bytes = new TextEncoder().encode(value)
  if (bytes.length > MAX_FIELD_BYTES) throw new TypeError(`${name} is longer than ${MAX_FIELD_BYTES} bytes`)
  return bytes
}
