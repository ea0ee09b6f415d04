import {MAX_MESSAGE_CHARS} from '../../contract/sessions.js'
import {CliError} from '../kit/errors.js'
import {type IOStreams, readAll} from '../kit/io.js'

export type ChatMode = {kind: 'once'; message: string} | {kind: 'repl'}

const HOW = 'Pass the message with -m TEXT, or pipe it in: echo "hi" | clawd chat.'

/**
 * One message from -m or from piped stdin, else a REPL — but only with a person at a terminal:
 * a script without a message gets a usage error that names the flag, never a hanging prompt.
 */
export async function chooseChatMode(io: IOStreams, flags: {message?: string; json: boolean}): Promise<ChatMode> {
  if (flags.message !== undefined) return {kind: 'once', message: checked(flags.message, 'The message given with -m is empty.')}
  if (!io.stdin.isTTY) return {kind: 'once', message: checked(await readAll(io.stdin), 'No message: stdin was empty.')}
  if (flags.json) throw CliError.usage('--json needs a message to send.', HOW)
  if (!io.canPrompt) throw CliError.usage('No message to send, and no interactive terminal for a chat.', HOW)
  return {kind: 'repl'}
}

function checked(text: string, emptyMessage: string): string {
  // A trailing newline from echo or a heredoc is not part of what the person meant to say.
  const message = text.trimEnd()
  if (message.trim() === '') throw CliError.usage(emptyMessage, HOW)
  if (message.length > MAX_MESSAGE_CHARS) {
    throw CliError.usage(`The message has ${message.length} characters; the limit is ${MAX_MESSAGE_CHARS}.`, 'Send a shorter message, or split it.')
  }
  return message
}
