import type {Readable, Writable} from 'node:stream'

/**
 * What the process may do with its terminal, decided once (like gh's IOStreams): whether it may
 * prompt, colour, or spin. Commands ask this object instead of poking at process.* themselves,
 * so tests can build one with plain streams.
 */
export interface IOStreams {
  stdin: Readable & {isTTY?: boolean}
  stdout: Writable & {isTTY?: boolean}
  stderr: Writable & {isTTY?: boolean}
  /** A person is at the keyboard: stdin and stderr are terminals and this is not CI. */
  canPrompt: boolean
  /** Colour on stdout. */
  colorStdout: boolean
  /** Spinners and colour on stderr. */
  interactiveStderr: boolean
  env: NodeJS.ProcessEnv
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI
  return Boolean(ci && ci !== '0' && ci.toLowerCase() !== 'false') || Boolean(env.GITHUB_ACTIONS || env.BUILD_NUMBER)
}

export function systemIO(env: NodeJS.ProcessEnv = process.env): IOStreams {
  const ci = isCI(env)
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  const stdinTTY = Boolean(process.stdin.isTTY)
  const stdoutTTY = Boolean(process.stdout.isTTY)
  const stderrTTY = Boolean(process.stderr.isTTY)
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    canPrompt: stdinTTY && stderrTTY && !ci,
    colorStdout: stdoutTTY && !noColor && env.TERM !== 'dumb',
    interactiveStderr: stderrTTY && !ci && !noColor && env.TERM !== 'dumb',
    env,
  }
}

/** Reads all of a stream (stdin: messages, tokens and archives piped by scripts). */
export async function readBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

export async function readAll(stream: Readable): Promise<string> {
  return (await readBytes(stream)).toString('utf8')
}
