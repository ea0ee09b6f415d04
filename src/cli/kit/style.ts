import {Chalk} from 'chalk'
import type {IOStreams} from './io.js'

/** Colour for stdout and stderr, each on only when that stream is an interactive terminal. */
export function styles(io: IOStreams) {
  return {
    out: new Chalk({level: io.colorStdout ? 1 : 0}),
    err: new Chalk({level: io.interactiveStderr ? 1 : 0}),
  }
}
