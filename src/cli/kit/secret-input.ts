import type {Readable} from 'node:stream'
import {MAX_KEY_BYTES} from '../../contract/keys.js'
import {CliError} from './errors.js'
import {type IOStreams, readAll} from './io.js'

// Every secret the CLI asks a person for (model keys, bot tokens, passwords) is read here.

/**
 * Where `clawd keys set` gets the key (DESIGN §3): a hidden prompt on a terminal, else stdin, or
 * the environment variable named by `--from-env VAR`. Never a flag value, which would land in
 * `ps` and shell history. Nothing here ever prints the value, and no error message repeats it.
 */
export interface SecretSource {
  /** `--from-env VAR`: the NAME of an environment variable; the value is looked up in `io.env`. */
  fromEnv?: string
  /** What the prompt asks for, e.g. "API key for anthropic". */
  label: string
  /** The command line to show in hints, e.g. "clawd keys set anthropic". */
  command: string
  /** The variable such a key usually lives in, for hints (e.g. OPENAI_API_KEY); see keyEnvVar. */
  envVar?: string
}

/**
 * The environment variable a provider's own tools read the key from: ANTHROPIC_API_KEY,
 * OPENAI_API_KEY, and NAME_API_KEY for a custom name (`openrouter` → OPENROUTER_API_KEY).
 */
export function keyEnvVar(keyName: string): string {
  if (keyName === 'openai-compatible') return 'OPENAI_API_KEY'
  return `${keyName.toUpperCase().replaceAll('-', '_')}_API_KEY`
}

export async function readSecret(io: IOStreams, source: SecretSource): Promise<string> {
  const value =
    source.fromEnv !== undefined
      ? fromEnv(io, source.fromEnv, source.envVar)
      : io.canPrompt
        ? await fromPrompt(io, source.label)
        : await fromStdin(io.stdin, source)
  return checked(value, source)
}

/** Accepts what `echo "$KEY" |`, a file or a CI secret adds: one `\n` or `\r\n`, no more. */
export function trimOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n')) return text.slice(0, -1)
  return text
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Conventional variable names are safe to repeat; anything else might be a pasted key. */
const SHOWABLE_ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/

function fromEnv(io: IOStreams, name: string, envVar = 'ANTHROPIC_API_KEY'): string {
  if (!ENV_NAME.test(name)) {
    throw CliError.usage(
      '--from-env takes the name of an environment variable, not the key itself.',
      `Put the key in a variable and pass its name, e.g. \`--from-env ${envVar}\`.`,
    )
  }
  const value = io.env[name]
  if (value === undefined || value === '') {
    const which = SHOWABLE_ENV_NAME.test(name) ? `$${name}` : 'The environment variable given to --from-env'
    throw CliError.usage(`${which} is not set or empty.`, 'Export the variable first, or pipe the key on stdin.')
  }
  return trimOneNewline(value)
}

/**
 * A new account's password (`clawd server users create`): asked twice at a hidden prompt on a
 * terminal, else read from stdin, where one trailing newline (echo's) is dropped.
 */
export async function readNewPassword(io: IOStreams): Promise<string> {
  let value: string
  if (io.canPrompt) {
    const {password} = await import('@inquirer/prompts')
    const context = {input: io.stdin, output: io.stderr}
    value = await password({message: 'Password (8 characters or more):', mask: '*', validate: (v) => v.length >= 8 || 'Use at least 8 characters.'}, context)
    const again = await password({message: 'Repeat the password:', mask: '*'}, context)
    if (again !== value) throw CliError.usage('The passwords do not match.', 'Run the command again.')
  } else {
    value = trimOneNewline(await readAll(io.stdin))
  }
  if (value.length === 0) {
    throw CliError.usage('No password given.', 'Pipe it on stdin, e.g. printf "%s" "$PASSWORD" | clawd server users create --email E')
  }
  if (value.length < 8) throw CliError.usage('The password is shorter than 8 characters.', 'Choose a longer password.')
  return value
}

async function fromPrompt(io: IOStreams, label: string): Promise<string> {
  const {password} = await import('@inquirer/prompts')
  try {
    return await password(
      {
        message: label,
        mask: true,
        // Ctrl-T would show the key on screen, where a screen share or a scrollback keeps it.
        toggleMask: false,
        validate: (v) => v.length > 0 || 'Paste the key, or press Ctrl-C to cancel.',
      },
      {input: io.stdin, output: io.stderr},
    )
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw CliError.interrupted()
    }
    throw error
  }
}

async function fromStdin(stdin: Readable & {isTTY?: boolean}, source: SecretSource): Promise<string> {
  // A terminal we may not prompt on (CI with a tty, for one) would block forever on a read.
  if (stdin.isTTY) throw emptyInput(source)
  // Room for the one newline trimmed below; anything longer is not a key.
  const limit = MAX_KEY_BYTES + 2
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += bytes.length
    chunks.push(bytes)
    if (size > limit) {
      for (const c of chunks) c.fill(0)
      throw tooLong()
    }
  }
  const all = Buffer.concat(chunks)
  for (const c of chunks) c.fill(0)
  try {
    return trimOneNewline(new TextDecoder('utf-8', {fatal: true}).decode(all))
  } catch {
    throw CliError.usage('The key on stdin is not valid UTF-8 text.', 'Pipe the key itself, not a binary file.')
  } finally {
    all.fill(0)
  }
}

function checked(value: string, source: SecretSource): string {
  if (value.length === 0) throw emptyInput(source)
  // Keys go into HTTP headers: a line break means a stray file or two keys, never a key.
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw CliError.usage(
      'The key contains a line break or another control character.',
      'Pass exactly one key, with at most one trailing newline.',
    )
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) throw tooLong()
  return value
}

function emptyInput({command, envVar = 'ANTHROPIC_API_KEY'}: SecretSource): CliError {
  return CliError.usage(
    'No key given.',
    `Type it at the hidden prompt in a terminal, pipe it on stdin (\`printenv ${envVar} | ${command}\`), or pass \`--from-env ${envVar}\` (the name of the variable that holds it).`,
  )
}

function tooLong(): CliError {
  return CliError.usage(`The key is longer than ${MAX_KEY_BYTES} bytes.`, 'Pass exactly one key.')
}
