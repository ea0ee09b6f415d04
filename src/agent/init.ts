import type {Readable} from 'node:stream'
import type {AgentInit} from '../contract/agent.js'
import {FirstLineError, readFirstLine} from './first-line.js'

/** The init line is small; anything longer is not from the driver. */
const MAX_INIT_BYTES = 64 * 1024

/**
 * Reads the one JSON line the driver writes to stdin (src/contract/agent.ts agentInitSchema) and
 * returns it with the data key decoded. The driver validated it with the full schema before
 * writing; here only what the agent relies on is checked, so the agent need not load zod.
 */
export async function readInit(input: Readable, timeoutMs = 10_000): Promise<{init: AgentInit; dataKey: Buffer}> {
  const line = await readFirstLine(input, {maxBytes: MAX_INIT_BYTES, timeoutMs}).catch((error: unknown) => {
    if (!(error instanceof FirstLineError)) throw error
    throw new Error(error.reason === 'too long' ? 'the init message is too long' : error.reason === 'closed' ? 'stdin closed before the init message' : 'no init message on stdin')
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    throw new Error('the init message is not JSON')
  }
  const init = parsed as AgentInit
  const strings = ['instance_id', 'data_key', 'secret', 'dir', 'socket'] as const
  if (typeof parsed !== 'object' || parsed === null || init.v !== 1) throw new Error('the init message has an unknown version')
  for (const field of strings) {
    if (typeof init[field] !== 'string' || init[field].length === 0) throw new Error(`the init message lacks ${field}`)
  }
  if (init.egress_socket !== null && typeof init.egress_socket !== 'string') throw new Error('bad egress_socket')
  if (typeof init.config !== 'object' || init.config === null) throw new Error('the init message lacks config')
  init.config.providerBaseUrls ??= {}
  const dataKey = Buffer.from(init.data_key, 'base64')
  if (dataKey.length !== 32) throw new Error('the data key is not 32 bytes')
  // The string copy stays in the heap until collected; at least drop our reference to it.
  init.data_key = ''
  return {init, dataKey}
}
