import {PassThrough, Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {ExitCode} from '../../src/cli/kit/exit-codes.js'
import type {IOStreams} from '../../src/cli/kit/io.js'
import {readSecret, trimOneNewline} from '../../src/cli/kit/secret-input.js'
import {MAX_KEY_BYTES} from '../../src/contract/keys.js'
import {failure} from '../helpers/cli-error.js'

const KEY = 'sk-ant-canary-9f8e7d6c5b4a'
const source = {label: 'API key for anthropic', command: 'clawd keys set anthropic'}

function collector() {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')))
  /** Resolves once `needle` has been written: the prompt is listening after it has drawn itself. */
  const printed = (needle: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!text.includes(needle)) return
        stream.off('data', check)
        resolve()
      }
      stream.on('data', check)
      check()
    })
  return {stream, text: () => text, printed}
}

function makeIO(opts: {stdin?: IOStreams['stdin']; canPrompt?: boolean; env?: NodeJS.ProcessEnv} = {}) {
  const out = collector()
  const err = collector()
  const io: IOStreams = {
    stdin: opts.stdin ?? Readable.from([]),
    stdout: out.stream,
    stderr: err.stream,
    canPrompt: opts.canPrompt ?? false,
    colorStdout: false,
    interactiveStderr: false,
    env: opts.env ?? {},
  }
  return {io, printed: () => out.text() + err.text(), stdout: out.text, stderr: err.text, prompted: () => err.printed(source.label)}
}

const piped = (...chunks: (string | Buffer)[]) => Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)))

/** A terminal that never ends unless written to. */
function tty(): PassThrough & {isTTY: boolean} {
  return Object.assign(new PassThrough(), {isTTY: true})
}


describe('trimOneNewline', () => {
  it('removes one trailing \\n or \\r\\n and nothing else', () => {
    expect(trimOneNewline('k\n')).toBe('k')
    expect(trimOneNewline('k\r\n')).toBe('k')
    expect(trimOneNewline('k')).toBe('k')
    expect(trimOneNewline('k\n\n')).toBe('k\n')
    expect(trimOneNewline('k\r\n\r\n')).toBe('k\r\n')
    expect(trimOneNewline('k\r')).toBe('k\r')
    expect(trimOneNewline(' k ')).toBe(' k ')
    expect(trimOneNewline('\n')).toBe('')
  })
})

describe('readSecret from stdin (no TTY)', () => {
  it('reads the piped key and trims one trailing newline', async () => {
    for (const input of [`${KEY}\n`, `${KEY}\r\n`, KEY]) {
      const {io, printed} = makeIO({stdin: piped(input)})
      expect(await readSecret(io, source)).toBe(KEY)
      expect(printed()).toBe('')
    }
  })

  it('joins chunks, even when the \\r\\n is split between them', async () => {
    const {io} = makeIO({stdin: piped('sk-', 'ant-', 'x\r', '\n')})
    expect(await readSecret(io, source)).toBe('sk-ant-x')
  })

  it('keeps everything but the one newline: a second newline is an error, not silently dropped', async () => {
    const {io} = makeIO({stdin: piped(`${KEY}\n\n`)})
    const error = await failure(readSecret(io, source))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(`${error.message} ${error.hint}`).not.toContain(KEY)
    const spaced = makeIO({stdin: piped(` ${KEY} \n`)})
    expect(await readSecret(spaced.io, source)).toBe(` ${KEY} `)
  })

  it('exits 2 with a hint naming the ways to pass a key when stdin is empty', async () => {
    for (const input of ['', '\n', '\r\n']) {
      const {io, printed} = makeIO({stdin: piped(input)})
      const error = await failure(readSecret(io, source))
      expect(error.exitCode).toBe(2)
      expect(error.code).toBe('usage')
      expect(error.hint).toContain('prompt')
      expect(error.hint).toContain('stdin')
      expect(error.hint).toContain('--from-env')
      expect(error.hint).toContain('clawd keys set anthropic')
      expect(printed()).toBe('')
    }
  })

  it('does not wait on a terminal it may not prompt on (e.g. CI with a tty)', async () => {
    const stdin = tty()
    const {io} = makeIO({stdin, canPrompt: false})
    const error = await failure(readSecret(io, source))
    expect(error.exitCode).toBe(2)
    expect(error.hint).toContain('--from-env')
    stdin.destroy()
  })

  it('refuses control characters, oversized input and invalid UTF-8, without repeating the input', async () => {
    const cases = [
      piped(`${KEY}\tmore`),
      piped(`${KEY}\nsecond-key\n`),
      piped(`${KEY}\u0000`),
      piped('x'.repeat(MAX_KEY_BYTES + 3)),
      piped(Buffer.from([0x73, 0x6b, 0xff, 0xfe])),
    ]
    for (const stdin of cases) {
      const {io, printed} = makeIO({stdin})
      const error = await failure(readSecret(io, source))
      expect(error.exitCode).toBe(2)
      expect(`${error.message} ${error.hint}`).not.toContain(KEY)
      expect(`${error.message} ${error.hint}`).not.toContain('second-key')
      expect(printed()).toBe('')
    }
    const {io} = makeIO({stdin: piped(`${'x'.repeat(MAX_KEY_BYTES)}\r\n`)})
    expect(await readSecret(io, source)).toHaveLength(MAX_KEY_BYTES)
  })
})

describe('readSecret --from-env', () => {
  it('reads the variable named by the flag, not stdin', async () => {
    const {io, printed} = makeIO({stdin: piped('from-stdin\n'), env: {ANTHROPIC_API_KEY: KEY}})
    expect(await readSecret(io, {...source, fromEnv: 'ANTHROPIC_API_KEY'})).toBe(KEY)
    expect(printed()).toBe('')
  })

  it('also wins over a prompt on a terminal', async () => {
    const stdin = tty()
    const {io, printed} = makeIO({stdin, canPrompt: true, env: {MY_KEY: `${KEY}\n`}})
    expect(await readSecret(io, {...source, fromEnv: 'MY_KEY'})).toBe(KEY)
    expect(printed()).toBe('')
    stdin.destroy()
  })

  it('exits 2 when the variable is unset or empty, naming it', async () => {
    for (const env of [{}, {MY_KEY: ''}]) {
      const {io} = makeIO({env})
      const error = await failure(readSecret(io, {...source, fromEnv: 'MY_KEY'}))
      expect(error.exitCode).toBe(2)
      expect(error.message).toContain('$MY_KEY')
    }
  })

  it('exits 2 without echoing it when the flag value looks like the key itself', async () => {
    for (const value of [KEY, 'abc def', '']) {
      const {io, printed} = makeIO({env: {[KEY]: 'x'}})
      const error = await failure(readSecret(io, {...source, fromEnv: value}))
      expect(error.exitCode).toBe(2)
      if (value) expect(`${error.message} ${error.hint}`).not.toContain(value)
      expect(printed()).toBe('')
    }
    // A well-formed but unconventional name (could be a pasted all-alphanumeric key) is not repeated either.
    const {io} = makeIO({})
    const error = await failure(readSecret(io, {...source, fromEnv: 'a1b2c3d4e5f6a7b8c9d0'}))
    expect(`${error.message} ${error.hint}`).not.toContain('a1b2c3d4e5f6a7b8c9d0')
  })
})

describe('readSecret at a terminal', () => {
  it('asks with a hidden prompt on stderr and never shows the key', async () => {
    const stdin = tty()
    const {io, stdout, stderr, prompted} = makeIO({stdin, canPrompt: true})
    const answer = readSecret(io, source)
    await prompted()
    // Typed one character at a time, as a terminal in raw mode delivers it.
    for (const ch of KEY) stdin.write(ch)
    stdin.write('\r')
    expect(await answer).toBe(KEY)
    expect(stdout()).toBe('')
    expect(stderr()).toContain('API key for anthropic')
    expect(stderr()).toContain('*'.repeat(KEY.length))
    expect(stderr()).not.toContain(KEY)
    expect(stderr()).not.toContain(KEY.slice(0, 6))
    expect(stderr()).not.toContain('toggle')
    stdin.destroy()
  })

  it('ignores Ctrl-T (show the key) while typing', async () => {
    const stdin = tty()
    const {io, stderr, prompted} = makeIO({stdin, canPrompt: true})
    const answer = readSecret(io, source)
    await prompted()
    stdin.write('sk-ant-')
    stdin.write('\u0014') // Ctrl-T
    stdin.write('visible?')
    stdin.write('\r')
    expect(await answer).toBe('sk-ant-visible?')
    expect(stderr()).not.toContain('visible?')
    stdin.destroy()
  })

  it('turns Ctrl-C into an interrupt (exit 130)', async () => {
    const stdin = tty()
    const {io, prompted} = makeIO({stdin, canPrompt: true})
    const answer = readSecret(io, source)
    await prompted()
    stdin.write('sk-')
    stdin.write('\u0003')
    const error = await failure(answer)
    expect(error.exitCode).toBe(ExitCode.interrupted)
    stdin.destroy()
  })
})
