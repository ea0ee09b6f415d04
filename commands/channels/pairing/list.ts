import {instanceListCommand} from '../../../src/cli/instances/ref.js'

export default instanceListCommand({
  summary: 'List the Telegram users waiting for your approval (codes last one hour).',
  list: (api, ref) => api.channels.pairing({ref}),
  items: (result) => result.requests,
  empty: 'Nobody is waiting to be paired.',
  headers: ['CODE', 'TELEGRAM USER', 'USERNAME', 'NAME', 'EXPIRES'],
  row: (r) => [r.code, r.user_id, r.username ? `@${r.username}` : '—', r.name ?? '—', r.expires_at],
})
