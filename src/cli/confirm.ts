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
