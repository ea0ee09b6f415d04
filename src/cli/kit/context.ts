import type {Factory} from './factory.js'
import type {IOStreams} from './io.js'

/**
 * What a command's logic gets besides its flags (gh's options struct): where to write, and the
 * factory for the API and credentials. A command's run() parses its flags and hands both to a
 * function of src/cli/<topic>/, so tests call that function with a test IO and a real server,
 * without spawning a process.
 */
export interface CommandContext {
  out: Output
  factory: Factory
}

/**
 * Where a command's logic writes: lines for people on stdout, unless --json asked for one document
 * (the function's result) instead; progress, notes and warnings on stderr, always.
 */
export class Output {
  constructor(
    readonly io: IOStreams,
    readonly json: boolean,
  ) {}

  say(line = ''): void {
    if (!this.json) this.io.stdout.write(line + '\n')
  }

  note(line: string): void {
    this.io.stderr.write(line + '\n')
  }
}
