import {PassThrough} from 'node:stream'
import {type CommandContext, Output} from '../../src/cli/kit/context.js'
import {Factory} from '../../src/cli/kit/factory.js'
import type {IOStreams} from '../../src/cli/kit/io.js'

export interface TestCommand {
  /** What a command's logic gets: the test IO and a factory on the env given. */
  ctx: CommandContext
  stdout(): string
  stderr(): string
}

/**
 * A command's logic run in this process, through the seam of src/cli/kit/context.ts: stdout and
 * stderr captured, no terminal (like CI), and only the environment given, so a developer's own
 * CLAWD_* settings never leak in.
 */
export function testCommand(env: NodeJS.ProcessEnv, opts: {json?: boolean} = {}): TestCommand {
  const captured = () => {
    const stream = new PassThrough()
    let text = ''
    stream.on('data', (d) => (text += d))
    return {stream, text: () => text}
  }
  const stdout = captured()
  const stderr = captured()
  const io: IOStreams = {stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream, canPrompt: false, colorStdout: false, interactiveStderr: false, env}
  return {ctx: {out: new Output(io, opts.json ?? false), factory: new Factory({io, version: 'test'})}, stdout: stdout.text, stderr: stderr.text}
}
