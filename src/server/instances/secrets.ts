import {createHmac} from 'node:crypto'
import {unwrapDataKey, wrapDataKey, newDataKey} from '../../crypto/aead.js'
import type {ServerCore} from '../core.js'

/**
 * The per-instance secret the gateway presents to the agent. Derived, not stored: nothing in the
 * database can be replayed against an instance socket, and it dies with the master key.
 */
export function instanceSecret(ctx: ServerCore, instanceId: string): string {
  return createHmac('sha256', ctx.secrets.signing).update(`instance-secret:${instanceId}`).digest('base64url')
}

/** A fresh data key and its wrapped form (the only form that is stored). */
export function mintDataKey(ctx: ServerCore, instanceId: string): {dataKey: Buffer; wrapped: string} {
  const dataKey = newDataKey()
  return {dataKey, wrapped: wrapDataKey(ctx.secrets.dataKeyWrap, dataKey, instanceId)}
}

export function openDataKey(ctx: ServerCore, instanceId: string, wrapped: string): Buffer {
  return unwrapDataKey(ctx.secrets.dataKeyWrap, wrapped, instanceId)
}
