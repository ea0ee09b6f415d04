import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'
import {configDirFor, normalizeApiUrl} from '../../src/cli/kit/config.js'
import {Factory} from '../../src/cli/kit/factory.js'
import type {IOStreams} from '../../src/cli/kit/io.js'
import {openBrowser, shouldOpenBrowser} from '../../src/cli/login/open-browser.js'
import {tempDir} from '../helpers/tmp.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

function io(env: NodeJS.ProcessEnv, tty = false): IOStreams & {err: () => string} {
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (d) => (text += d))
  return {
    stdin: Object.assign(new PassThrough(), {isTTY: tty}),
    stdout: new PassThrough(),
    stderr: Object.assign(stderr, {isTTY: tty}),
    canPrompt: tty,
    colorStdout: false,
    interactiveStderr: tty,
    env,
    err: () => text,
  }
}
function home(): string {
  const dir = tempDir('clawd-home-')
  cleanups.push(dir.dispose)
  return dir.path
}

describe('config dir and API URL', () => {
  it('puts the config in CLAWD_CONFIG_DIR, else the XDG config home', () => {
    expect(configDirFor({CLAWD_CONFIG_DIR: '/x/y'})).toBe('/x/y')
    expect(configDirFor({XDG_CONFIG_HOME: '/cfg'}, 'linux')).toBe('/cfg/clawd')
    expect(configDirFor({APPDATA: 'C:\\Users\\a\\AppData\\Roaming'}, 'win32')).toMatch(/clawd$/)
  })

  it('spells each API one way', () => {
    expect(normalizeApiUrl('HTTPS://Clawd.Example.com/')).toBe('https://clawd.example.com')
    expect(normalizeApiUrl('http://127.0.0.1:7420/api/?x=1#y')).toBe('http://127.0.0.1:7420/api')
    expect(() => normalizeApiUrl('clawd.example.com')).toThrow(/not a URL/)
    expect(() => normalizeApiUrl('ftp://clawd.example.com')).toThrow(/https/)
    expect(() => normalizeApiUrl('https://user:pw@clawd.example.com')).toThrow(/user name or password/)
  })

  it('takes the API from --api, then CLAWD_API_URL, then the last login, then the local default', () => {
    const dir = home()
    const make = (env: NodeJS.ProcessEnv, apiFlag?: string) => new Factory({io: io({CLAWD_CONFIG_DIR: dir, ...env}), apiFlag, version: '0.0.0'})
    expect(make({}).apiUrl).toBe('http://127.0.0.1:7420')
    make({}).config.update({api: 'https://stored.example.com'})
    expect(make({}).apiUrl).toBe('https://stored.example.com')
    expect(make({CLAWD_API_URL: 'https://env.example.com'}).apiUrl).toBe('https://env.example.com')
    expect(make({CLAWD_API_URL: 'https://env.example.com'}, 'https://flag.example.com/').apiUrl).toBe('https://flag.example.com')
  })

  it('prefers CLAWD_TOKEN to a stored credential, and says where each came from', async () => {
    const dir = home()
    const f = new Factory({io: io({CLAWD_CONFIG_DIR: dir}), version: '1.2.3'})
    expect(await f.credential()).toBeUndefined()
    await f.credentials.set({api: f.apiUrl, accessToken: 'stored'})
    expect(await f.credential()).toMatchObject({source: 'file', credential: {accessToken: 'stored'}})
    const ci = new Factory({io: io({CLAWD_CONFIG_DIR: dir, CLAWD_TOKEN: ' from-env\n'}), version: '1.2.3'})
    expect(await ci.credential()).toMatchObject({source: 'env', credential: {accessToken: 'from-env', api: 'http://127.0.0.1:7420'}})
    expect(f.userAgent).toMatch(/^clawd\/1\.2\.3 /)
  })
})

describe('opening a browser', () => {
  const person = {DISPLAY: ':0'}
  it('only for a person at this machine: interactive, not CI, not over SSH, with a display', () => {
    expect(shouldOpenBrowser(io(person, true), 'linux')).toBe(true)
    expect(shouldOpenBrowser(io(person, false), 'linux')).toBe(false)
    expect(shouldOpenBrowser(io({...person, CI: 'true'}, true), 'linux')).toBe(false)
    expect(shouldOpenBrowser(io({...person, SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22'}, true), 'linux')).toBe(false)
    expect(shouldOpenBrowser(io({...person, SSH_TTY: '/dev/pts/1'}, true), 'linux')).toBe(false)
    expect(shouldOpenBrowser(io({}, true), 'linux')).toBe(false)
    expect(shouldOpenBrowser(io({}, true), 'darwin')).toBe(true)
  })

  it('hands the URL to the opener as one argument, never as shell text', async () => {
    const dir = home()
    const script = join(dir, 'fake-browser.sh')
    const out = join(dir, 'opened.txt')
    // Written aside and renamed, so the file appears whole; the test waits for it as long as it takes.
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${out}.part' && mv '${out}.part' '${out}'\n`, {mode: 0o755})
    const url = `http://127.0.0.1:7420/device?user_code=BCDF-GHJK&x=$(touch ${join(dir, 'pwned')});\`id\``
    expect(await openBrowser(url, {BROWSER: script}, 'linux')).toBe(true)
    while (!existsSync(out)) await new Promise((r) => setTimeout(r, 20))
    expect(readFileSync(out, 'utf8')).toBe(url)
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
  })

  it('reports an opener that cannot start instead of throwing', async () => {
    expect(await openBrowser('http://127.0.0.1/', {BROWSER: '/nonexistent/browser'}, 'linux')).toBe(false)
  })
})
