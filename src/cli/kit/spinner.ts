import type {IOStreams} from './io.js'

/** The part of ora we use; a silent stand-in when stderr is not an interactive terminal. */
export interface Spinner {
  start(text?: string): Spinner
  set text(value: string)
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

class SilentSpinner implements Spinner {
  start(): Spinner {
    return this
  }
  set text(_value: string) {}
  succeed(): void {}
  fail(): void {}
  stop(): void {}
}

/** ora is loaded lazily so that commands which never spin do not pay for it at start-up. */
export async function createSpinner(io: IOStreams, text: string): Promise<Spinner> {
  if (!io.interactiveStderr) return new SilentSpinner()
  const {default: ora} = await import('ora')
  return ora({text, stream: io.stderr, discardStdin: false}) as unknown as Spinner
}
