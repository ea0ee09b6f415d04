import type {Channel, PairingRequest} from '../../contract/channels.js'
import {table} from '../kit/table.js'

export function channelsTable(channels: Channel[]): string {
  return table(
    ['CHANNEL', 'BOT', 'DM POLICY', 'ALLOWED', 'FINGERPRINT', 'VERSION', 'UPDATED'],
    channels.map((c) => [c.kind, `@${c.bot_username}`, c.dm_policy, c.allow_from.join(',') || '—', c.fingerprint, String(c.version), c.updated_at]),
  )
}

export function pairingTable(requests: PairingRequest[]): string {
  return table(
    ['CODE', 'TELEGRAM USER', 'USERNAME', 'NAME', 'EXPIRES'],
    requests.map((r) => [r.code, r.user_id, r.username ? `@${r.username}` : '—', r.name ?? '—', r.expires_at]),
  )
}
