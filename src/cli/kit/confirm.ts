import {CliError} from './errors.js'
import type {IOStreams} from './io.js'

/** Asks the person to type `expected` (gh-style confirmation for destructive commands). */
export async function confirmByTyping(io: IOStreams, expected: string, message: string): Promise<void> {
  if (!io.canPrompt) throw CliError.usage('Confirmation needed.', 'Pass --yes.')
  const {input} = await import('@inquirer/prompts')
  const typed = await input({message}, {input: io.stdin, output: io.stderr})
  if (typed.trim() !== expected) {
    throw CliError.usage(`"${typed.trim()}" does not match "${expected}"; nothing was deleted.`, 'Run the command again and type the exact name.')
  }
}

/**
 * A yes/no question for actions that cannot be undone but are not worth typing a name for
 * (gh's `Are you sure?`). No is the default: Enter alone does nothing.
 */
export async function confirmYesNo(io: IOStreams, message: string, nothingDone: string): Promise<void> {
  if (!io.canPrompt) throw CliError.usage('Confirmation needed.', 'Pass --yes.')
  const {confirm} = await import('@inquirer/prompts')
  const yes = await confirm({message, default: false}, {input: io.stdin, output: io.stderr})
  if (!yes) throw CliError.usage(nothingDone, 'Run the command again and answer yes, or pass --yes.')
}
