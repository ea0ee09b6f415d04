// Channel figures for `npm run bench` (issue 17): from Telegram posting an update to the webhook
// to the agent's first sendMessage, for a running and for a paused instance. Runs the BUILT server
// (dist/) in this process with a temp data dir, the bundled fake Bot API as Telegram, and the
// offline dev provider as the model, so the figure is the channel's own path: webhook check,
// resume, quota, hand-over, session, answer, Bot API call through the egress proxy.
import {randomBytes} from 'node:crypto'
import {pathToFileURL} from 'node:url'
import {encodeByokAad} from '../dist/src/crypto/byok-aad.js'
import {keyFingerprint} from '../dist/src/crypto/fingerprint.js'
import {decodePublicKey, sealKey} from '../dist/src/crypto/hpke.js'
import {startFakeTelegram} from '../dist/src/dev/fake-telegram.js'
import {withServer} from './in-process.js'
import {row} from './stats.js'

export async function benchChannels({runs = 10} = {}) {
  const token = `${100000 + Math.floor(Math.random() * 1e6)}:AAbench${randomBytes(12).toString('hex')}`
  const tg = await startFakeTelegram({bots: [{token, id: 4242, username: 'clawd_bench_bot'}]})
  const samples = {running: [], paused: []}
  try {
    return await withServer('bc', () => {}, async ({server, user, api}) => {
      const instance = await api.json('POST', '/v1/instances', {name: 'bench-channel', model: 'dev/echo'})
      await api.waitState(instance.id, 'running')
      // What `clawd channels add telegram --dm-policy allowlist` sends, sealed here as the CLI does.
      const pub = await api.json('GET', `/v1/instances/${instance.id}/public-key`)
      const aad = encodeByokAad({userId: user.id, instanceId: instance.id, keyName: 'telegram', baseUrl: tg.url, version: 1, kind: 'channel'})
      const sealed = await sealKey({publicKey: decodePublicKey(pub.public_key), kid: pub.kid, aad, plaintext: Buffer.from(token)})
      const phone = {id: 777001, username: 'bench_phone'}
      await api.json('PUT', `/v1/instances/${instance.id}/channels/telegram`, {
        kid: pub.kid,
        ...sealed,
        version: 1,
        fingerprint: keyFingerprint(token),
        bot: {id: 4242, username: 'clawd_bench_bot'},
        dm_policy: 'allowlist',
        allow_from: [String(phone.id)],
        api_url: tg.url,
      })
      await tg.converse(token, phone, 'warm-up')
      for (let run = 0; run < runs; run++) samples.running.push((await tg.converse(token, phone, `ping ${run}`)).firstReplyMs)
      for (let run = 0; run < runs; run++) {
        await api.json('POST', `/v1/instances/${instance.id}/pause`)
        await api.waitState(instance.id, 'paused')
        samples.paused.push((await tg.converse(token, phone, `wake ${run}`)).firstReplyMs)
      }
      const mode = server.ctx.instances.isolation.mode
      return [
        row(`telegram webhook → first sendMessage, running (${mode})`, samples.running, 'ms'),
        row(`telegram webhook → first sendMessage, paused (${mode})`, samples.paused, 'ms'),
      ]
    })
  } finally {
    await tg.close()
  }
}

// `node bench/channels.js [runs]` prints the figures on their own.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchChannels({runs: Number(process.argv[2] ?? 10)})) console.log(`${r.name}  p50 ${r.p50.toFixed(0)} ms  p95 ${r.p95.toFixed(0)} ms  (n=${r.n})`)
}
