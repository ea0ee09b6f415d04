import {inspect} from 'node:util'
import {Command, Errors, Flags} from '@oclif/core'
import {type CommandContext, Output} from './context.js'
import {CliError} from './errors.js'
import {ExitCode} from './exit-codes.js'
import {Factory} from './factory.js'
import {type IOStreams, systemIO} from './io.js'
import {styles} from './style.js'

/**
 * Every clawd command extends this. It owns the global flags, the `--json` switch, and the single
 * place where an error becomes output and an exit code (DESIGN §3): one line of what happened,
 * one of what to do, or `{"error": {...}}` with `--json`. Never a stack trace unless CLAWD_DEBUG=1.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    api: Flags.string({
      summary: 'URL of the clawd API.',
      env: 'CLAWD_API_URL',
      helpGroup: 'GLOBAL',
    }),
  }

  protected io: IOStreams = systemIO()

  private factoryInstance: Factory | undefined

  /** Everything a command needs beyond its flags (config, credentials, API clients), built lazily. */
  protected factory(flags: {api?: string}): Factory {
    this.factoryInstance ??= new Factory({io: this.io, apiFlag: flags.api, version: this.config.version})
    return this.factoryInstance
  }

  /** What the command's logic in src/cli/<topic>/ gets: its output and the factory. */
  protected context(flags: {api?: string}): CommandContext {
    return {out: this.out, factory: this.factory(flags)}
  }

  /** Lines for people on stdout (none with `--json`); progress, warnings and prompts on stderr. */
  protected get out(): Output {
    return new Output(this.io, this.jsonEnabled())
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await super.finally(err)
    // A keyring call that timed out may still hold native work that keeps Node alive; the command
    // has finished, so do not let it hang the shell.
    if (this.factoryInstance?.keyringStalled) setTimeout(() => process.exit(), 200).unref()
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<never> {
    let failure = toCliError(err)
    if (failure.code === 'usage' && failure.hint?.includes('<command>') && this.id) {
      failure = CliError.usage(failure.message, failure.hint.replace('<command>', this.id.replaceAll(':', ' ')))
    }
    if (this.jsonEnabled()) {
      this.io.stdout.write(
        JSON.stringify({
          error: {code: failure.code, message: failure.message, ...(failure.hint ? {hint: failure.hint} : {}), ...(failure.incident ? {incident: failure.incident} : {})},
        }) +
          '\n',
      )
    } else {
      writeError(this.io, failure)
      // The API names an open incident on server failures: the user learns it is known, not theirs.
      if (failure.incident) this.io.stderr.write(`${styles(this.io).err.yellow('Incident:')} ${failure.incident} — see \`clawd status\`.\n`)
    }
    if (process.env.CLAWD_DEBUG === '1') this.io.stderr.write((err?.stack ?? inspect(err)) + '\n')
    // ExitError is handled by oclif without printing anything more.
    throw new Errors.ExitError(failure.exitCode)
  }
}

/** An error for people, on stderr: what happened, then what to do (the REPL's errors too). */
export function writeError(io: IOStreams, failure: CliError): void {
  const {err: c} = styles(io)
  io.stderr.write(`${c.red('Error:')} ${failure.message}\n`)
  if (failure.hint) io.stderr.write(`${c.dim('Hint:')} ${failure.hint}\n`)
}

/** Maps anything thrown into our typed error, so nothing reaches the user as a stack trace. */
export function toCliError(err: Error & {exitCode?: number; oclif?: {exit?: number}; code?: unknown}): CliError {
  if (err instanceof CliError) return err
  if (!err || typeof err !== 'object') return unexpected(err)
  if (err instanceof Errors.ExitError) {
    return new CliError({code: 'exit', message: err.message, exitCode: (err.oclif.exit ?? 1) as never})
  }
  // oclif's own parse errors (unknown flag, missing argument) exit 2.
  if (err.oclif?.exit === 2 || err.constructor?.name?.endsWith('Error') && 'parse' in err) {
    return CliError.usage(parseErrorLine(err.message), 'See `clawd <command> --help` for the flags and arguments.')
  }
  if (err.name === 'ExitPromptError' || err.name === 'AbortPromptError') return CliError.interrupted()
  return unexpected(err)
}

function unexpected(err: unknown): CliError {
  return new CliError({
    code: 'unexpected',
    message: `Unexpected error: ${describeThrown(err)}`,
    hint: 'Run again with CLAWD_DEBUG=1 for details, and report it if it persists.',
    exitCode: ExitCode.unexpected,
    cause: err instanceof Error ? err : undefined,
  })
}

/**
 * Words for anything that was thrown: an Error's message, a plain object's own message or its
 * JSON, never "[object Object]" (a library that rejects with an object or with nothing at all).
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error && value.message) return value.message
  if (value && typeof value === 'object') {
    const message = (value as {message?: unknown}).message
    if (typeof message === 'string' && message) return message
    try {
      const json = JSON.stringify(value)
      if (json && json !== '{}') return json.length > 500 ? json.slice(0, 500) + '…' : json
    } catch {}
    return `a thrown ${value.constructor?.name ?? "value"} with no message`
  }
  if (value === undefined || value === null || value === '') return 'an error with no message'
  return String(value)
}

/**
 * oclif's parse errors span lines ("The following error occurred:", the problems, "See more help
 * with --help"); the user gets the problems on one line, and the hint says where help is.
 */
function parseErrorLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}/g, ' — '))
    .filter((line) => line && !/^The following errors? occurred:?$/i.test(line) && !/^See more help with/i.test(line))
  const text = lines.join(' ')
  return text || 'Invalid arguments.'
}
