import {mkdtempSync, rmSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EgressProxy, type EgressRecord} from '../../src/runtime/egress-proxy.js'
import {botApiEgressEntry} from '../../src/server/channels/egress.js'
import {type FakeTelegram, startFakeTelegram} from '../../src/dev/fake-telegram.js'

/** The first status line the proxy answers to a request sent on an instance's socket. */
function ask(socketPath: string, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({path: socketPath})
    socket.once('error', reject)
    socket.once('connect', () => socket.write(head))
    let got = ''
    socket.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\r\n')) {
        socket.destroy()
        resolve(got.slice(0, got.indexOf('\r\n')))
      }
    })
  })
}

/** The Bot API is reachable by the instances that have a Telegram channel, and only by them. */
describe('per-instance egress for channels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-chegress-'))
  const records: EgressRecord[] = []
  let proxy: EgressProxy
  let tg: FakeTelegram
  const sock = (id: string) => join(dir, `${id}.sock`)

  beforeAll(async () => {
    tg = await startFakeTelegram({bots: [{token: '1:AAabcdefghijklmnopqrstuvwx', id: 1, username: 'x_bot'}]})
    proxy = new EgressProxy({allow: ['api.anthropic.com:443']}, (r) => records.push(r))
    await proxy.open('ins_with', sock('ins_with'))
    await proxy.open('ins_without', sock('ins_without'))
    proxy.allowFor('ins_with', [botApiEgressEntry(tg.url)])
  })
  afterAll(async () => {
    await proxy.closeAll()
    await tg.close()
    rmSync(dir, {recursive: true, force: true})
  })

  const getMe = (id: string) => ask(sock(id), `POST ${tg.url}/bot1:AAabcdefghijklmnopqrstuvwx/getMe HTTP/1.1\r\nHost: ${new URL(tg.url).host}\r\nContent-Length: 0\r\n\r\n`)

  it('maps the default and self-hosted Bot API URLs to host:port entries', () => {
    expect(botApiEgressEntry(null)).toBe('api.telegram.org:443')
    expect(botApiEgressEntry('https://bots.example.com')).toBe('bots.example.com:443')
    expect(botApiEgressEntry('http://127.0.0.1:8081/')).toBe('127.0.0.1:8081')
  })

  it('lets the instance with the channel through, and refuses the one without', async () => {
    expect(await getMe('ins_with')).toMatch(/^HTTP\/1\.1 200/)
    expect(await getMe('ins_without')).toMatch(/^HTTP\/1\.1 403/)
    expect(await ask(sock('ins_without'), 'CONNECT api.telegram.org:443 HTTP/1.1\r\nHost: api.telegram.org:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/)
    expect(records.filter((r) => r.instanceId === 'ins_without').every((r) => !r.allowed)).toBe(true)
  })

  it('takes the allowance back when the channel is removed', async () => {
    proxy.allowFor('ins_with', [])
    expect(await getMe('ins_with')).toMatch(/^HTTP\/1\.1 403/)
  })
})
