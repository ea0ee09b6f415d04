import {instanceListCommand} from '../../src/cli/instances/ref.js'

export default instanceListCommand({
  summary: 'List the keys an instance holds (never the keys themselves).',
  list: (api, ref) => api.keys.list({ref}),
  items: (result) => result.keys,
  empty: 'No keys. Add one with `clawd keys set PROVIDER`.',
  headers: ['NAME', 'PROVIDER', 'FINGERPRINT', 'VERSION', 'UPDATED', 'LAST USED'],
  row: (k) => [k.name, k.provider, k.fingerprint, String(k.version), k.updated_at, k.last_used_at ?? 'never'],
})
