import type {Readable} from 'node:stream'

/** Why no line came: more than the allowed bytes, the stream ended first, or time ran out. */
export class FirstLineError extends Error {
  constructor(readonly reason: 'too long' | 'closed' | 'timeout') {
    super(`no first line (${reason})`)
    this.name = 'FirstLineError'
  }
}

/**
 * The first newline-terminated line of `input`, as UTF-8, for one-line handshakes: the agent's
 * init message on stdin, and an exec request on the host's tool launcher socket. The bytes read
 * are wiped once the line is a string (the init line holds the data key). The stream is left
 * paused; what followed the line on the same chunk is dropped.
 */
export function readFirstLine(input: Readable, opts: {maxBytes: number; timeoutMs: number}): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (error?: Error, line?: string) => {
      clearTimeout(timer)
      input.off('data', onData)
      input.off('end', onEnd)
      input.off('error', onError)
      input.pause()
      if (error) reject(error)
      else resolve(line!)
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      if (chunk.indexOf(0x0a) >= 0) {
        const all = Buffer.concat(chunks)
        const line = all.subarray(0, all.indexOf(0x0a)).toString('utf8')
        for (const c of chunks) c.fill(0)
        all.fill(0)
        return done(undefined, line)
      }
      size += chunk.length
      if (size > opts.maxBytes) done(new FirstLineError('too long'))
    }
    const onEnd = () => done(new FirstLineError('closed'))
    const onError = (error: Error) => done(error)
    const timer = setTimeout(() => done(new FirstLineError('timeout')), opts.timeoutMs)
    input.on('data', onData)
    input.once('end', onEnd)
    input.once('error', onError)
  })
}
