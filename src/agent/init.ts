import type {Readable} from 'node:stream'
import type {AgentInit} from '../contract/agent.js'

/** The init line is small; anything longer is not from the driver. */
const MAX_INIT_BYTES = 64 * 1024

export class InitError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InitError'
  }
}

/**
 * Reads the one JSON line the driver writes to stdin (src/contract/agent.ts agentInitSchema) and
 * returns it with the data key decoded. The driver validated it with the full schema before
 * writing; here only what the agent relies on is checked, so the agent need not load zod.
 */
export async function readInit(input: Readable, timeoutMs = 10_000): Promise<{init: AgentInit; dataKey: Buffer}> {
  const line = await readFirstLine(input, timeoutMs)
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    throw new InitError('the init message is not JSON')
  }
  const init = parsed as AgentInit
  const strings = ['instance_id', 'data_key', 'secret', 'dir', 'socket'] as const
  if (typeof parsed !== 'object' || parsed === null || init.v !== 1) throw new InitError('the init message has an unknown version')
  for (const field of strings) {
    if (typeof init[field] !== 'string' || init[field].length === 0) throw new InitError(`the init message lacks ${field}`)
  }
  if (init.egress_socket !== null && typeof init.egress_socket !== 'string') throw new InitError('bad egress_socket')
  if (typeof init.config !== 'object' || init.config === null) throw new InitError('the init message lacks config')
  init.config.providerBaseUrls ??= {}
  const dataKey = Buffer.from(init.data_key, 'base64')
  if (dataKey.length !== 32) throw new InitError('the data key is not 32 bytes')
  // The string copy stays in the heap until collected; at least drop our reference to it.
  init.data_key = ''
  return {init, dataKey}
}

function readFirstLine(input: Readable, timeoutMs: number): Promise<string> {
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
      const newline = chunk.indexOf(0x0a)
      if (newline >= 0) {
        chunks.push(chunk)
        const all = Buffer.concat(chunks)
        const line = all.subarray(0, all.indexOf(0x0a)).toString('utf8')
        // The line holds the data key: wipe the bytes we own once it is a string.
        for (const c of chunks) c.fill(0)
        all.fill(0)
        return done(undefined, line)
      }
      chunks.push(chunk)
      size += chunk.length
      if (size > MAX_INIT_BYTES) done(new InitError('the init message is too long'))
    }
    const onEnd = () => done(new InitError('stdin closed before the init message'))
    const onError = (error: Error) => done(error)
    const timer = setTimeout(() => done(new InitError('no init message on stdin')), timeoutMs)
    input.on('data', onData)
    input.once('end', onEnd)
    input.once('error', onError)
  })
}
