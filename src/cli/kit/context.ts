import type {Factory} from './factory.js'
import type {IOStreams} from './io.js'

/**
 * What a command's logic gets besides its flags (gh's options struct): where to write, and the
 * factory for the API and credentials. As in gh, a command file exports a function beside its
 * class that does the work; run() only parses the flags and calls it, so tests call the function
 * with a test IO and a real server, without spawning a process.
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
