import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {deviceLogin, SLOW_DOWN_STEP_MS} from '../../src/cli/login/device-login.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {HttpTransport} from '../../src/cli/kit/http/transport.js'
import {OAuthClient} from '../../src/cli/login/oauth-client.js'

/**
 * A stand-in authorization server that speaks RFC 8628 on the wire, answering token polls from a
 * script, so the client's reactions to each answer can be checked one by one.
 */
async function authServer(opts: {interval: number; expiresIn: number; polls: string[]}) {
  const forms: URLSearchParams[] = []
  let poll = 0
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const form = new URLSearchParams(body)
      forms.push(form)
      res.setHeader('content-type', 'application/json')
      if (req.url === '/oauth/device_authorization') {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        res.end(
          JSON.stringify({
            device_code: 'dc-123',
            user_code: 'BCDF-GHJK',
            verification_uri: `${base}/device`,
            verification_uri_complete: `${base}/device?user_code=BCDF-GHJK`,
            expires_in: opts.expiresIn,
            interval: opts.interval,
          }),
        )
        return
      }
      const answer = opts.polls[Math.min(poll++, opts.polls.length - 1)]!
      if (answer === 'tokens') {
        res.end(JSON.stringify({access_token: 'clawd_at_x', token_type: 'Bearer', expires_in: 3600, refresh_token: 'clawd_rt_x'}))
      } else {
        res.statusCode = 400
        res.end(JSON.stringify({error: answer}))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  servers.push(server)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {url, forms, polls: () => poll}
}
const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** Time that moves only when the client sleeps: the waits it asked for are the record. */
function fakeClock() {
  let now = 1_000_000
  const sleeps: number[] = []
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms)
      now += ms
    },
    sleeps,
  }
}

function run(url: string, clock = fakeClock(), signal?: AbortSignal) {
  const oauth = new OAuthClient(url, new HttpTransport({userAgent: 'clawd/test'}))
  const shown: string[] = []
  const slowDowns: number[] = []
  const result = deviceLogin({
    oauth,
    onCode: (auth) => void shown.push(auth.user_code),
    onSlowDown: (ms) => void slowDowns.push(ms),
    now: clock.now,
    sleep: clock.sleep,
    signal,
  })
  return {result, shown, slowDowns, clock}
}

describe('device login (RFC 8628 client)', () => {
  it('waits the interval before every poll, and 5 s more after each slow_down, until approved', async () => {
    const srv = await authServer({interval: 2, expiresIn: 600, polls: ['authorization_pending', 'slow_down', 'authorization_pending', 'slow_down', 'tokens']})
    const {result, shown, slowDowns, clock} = run(srv.url)
    expect(await result).toMatchObject({access_token: 'clawd_at_x', refresh_token: 'clawd_rt_x'})
    expect(shown).toEqual(['BCDF-GHJK'])
    expect(clock.sleeps).toEqual([2000, 2000, 2000 + SLOW_DOWN_STEP_MS, 2000 + SLOW_DOWN_STEP_MS, 2000 + 2 * SLOW_DOWN_STEP_MS])
    expect(slowDowns).toEqual([7000, 12000])
    // Form-encoded, with our client id and the device grant type.
    expect(srv.forms[0]!.get('client_id')).toBe('clawd-cli')
    expect(srv.forms[1]!.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:device_code')
    expect(srv.forms[1]!.get('device_code')).toBe('dc-123')
  })

  it('stops with exit 4 when the user denies', async () => {
    const srv = await authServer({interval: 1, expiresIn: 600, polls: ['authorization_pending', 'access_denied']})
    const error = await run(srv.url).result.catch((e) => e)
    expect(error).toBeInstanceOf(CliError)
    expect(error).toMatchObject({code: 'access_denied', exitCode: 4})
    expect(srv.polls()).toBe(2)
  })

  it('stops with exit 4 and a hint to log in again when the server says the code expired', async () => {
    const srv = await authServer({interval: 1, expiresIn: 600, polls: ['expired_token']})
    const error = await run(srv.url).result.catch((e) => e)
    expect(error).toMatchObject({code: 'expired_token', exitCode: 4})
    expect(error.hint).toMatch(/clawd login/)
  })

  it('never polls past expires_in, even if the server keeps saying pending', async () => {
    const srv = await authServer({interval: 5, expiresIn: 12, polls: ['authorization_pending']})
    const {result, clock} = run(srv.url)
    const error = await result.catch((e) => e)
    expect(error).toMatchObject({code: 'expired_token', exitCode: 4})
    expect(clock.sleeps).toEqual([5000, 5000, 2000])
    expect(clock.sleeps.reduce((a, b) => a + b)).toBe(12_000)
  })

  it('can be aborted while it waits', async () => {
    const srv = await authServer({interval: 1, expiresIn: 600, polls: ['authorization_pending']})
    const controller = new AbortController()
    const oauth = new OAuthClient(srv.url, new HttpTransport({userAgent: 'clawd/test'}))
    const pending = deviceLogin({oauth, onCode: () => void setTimeout(() => controller.abort(), 10), signal: controller.signal})
    const error = await pending.catch((e) => e)
    expect(error.name).toBe('AbortError')
    expect(srv.polls()).toBe(0)
  })
})
