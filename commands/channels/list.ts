import {instanceListCommand} from '../../src/cli/instances/ref.js'

export default instanceListCommand({
  summary: 'List the channels (Telegram bots) that reach an instance.',
  list: (api, ref) => api.channels.list({ref}),
  items: (result) => result.channels,
  empty: 'No channels. Add one with `clawd channels add telegram`.',
  headers: ['CHANNEL', 'BOT', 'DM POLICY', 'ALLOWED', 'FINGERPRINT', 'VERSION', 'UPDATED'],
  row: (c) => [c.kind, `@${c.bot_username}`, c.dm_policy, c.allow_from.join(',') || '—', c.fingerprint, String(c.version), c.updated_at],
})
