import {TELEGRAM_DEFAULT_API_URL} from '../../contract/channels.js'
import type {ServerContext} from '../context.js'
import {allChannelEndpoints} from './repo.js'

/** The egress entry (host:port) for a channel's Bot API server. */
export function botApiEgressEntry(apiUrl: string | null): string {
  const url = new URL(apiUrl ?? TELEGRAM_DEFAULT_API_URL)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return `${url.hostname}:${port}`
}

/**
 * api.telegram.org (or the self-hosted server) is reachable only by instances with a Telegram
 * channel: each gets its own egress allowance, set when the channel is added and taken back when
 * it is removed. A driver without per-instance allowances leaves instances on the shared list.
 */
export function allowChannelEgress(ctx: ServerContext, instanceId: string, ...apiUrls: Array<string | null>): void {
  ctx.instances.driver.setEgressExtra?.(instanceId, [...new Set(apiUrls.map(botApiEgressEntry))])
}

export function revokeChannelEgress(ctx: ServerContext, instanceId: string): void {
  ctx.instances.driver.setEgressExtra?.(instanceId, [])
}

/** At start-up: every stored channel gets its allowance back (they live in the driver's memory). */
export async function restoreChannelEgress(ctx: ServerContext): Promise<void> {
  const rows = await ctx.db.asSystem((q) => allChannelEndpoints(q))
  for (const row of rows) allowChannelEgress(ctx, row.instance_id, row.api_url)
}
