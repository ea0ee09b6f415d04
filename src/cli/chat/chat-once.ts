import type {Instance} from '../../contract/instances.js'
import type {IOStreams} from '../kit/io.js'
import {createSpinner} from '../kit/spinner.js'
import {styles} from '../kit/style.js'
import {AnswerFailed} from './answer-failure.js'
import {JsonLinesView, playAnswer, textViewFor} from './answer-view.js'
import {terminalApprover} from './approval-prompt.js'
import type {Conversation} from './conversation.js'

export interface ChatOnceOptions {
  io: IOStreams
  conversation: Conversation
  instance: Instance
  json: boolean
  /** Subscribes to Ctrl-C (SIGINT); returns the unsubscribe. */
  onInterrupt: (handler: () => void) => () => void
  /** Ask on the terminal before each exec, write and edit (the conversation was opened with approveTools). */
  approve?: boolean
}

export interface ChatOnceResult {
  session_id: string
  message_id: string
}

/**
 * Sends one message and streams the answer to stdout: its text, or with --json its events as
 * NDJSON. Ctrl-C stops the answer (a second one cuts the connection) and exits 130; a failed
 * answer throws AnswerFailed with the exit code for its error.
 */
export async function chatOnce(opts: ChatOnceOptions, message: string): Promise<ChatOnceResult> {
  const {io, conversation, instance} = opts
  // The first request to a paused instance resumes it, which takes a moment: say so.
  const spinner = instance.state === 'running' ? undefined : (await createSpinner(io, `Resuming ${instance.name}…`)).start()
  let stop = () => {}
  let interrupted = false
  const interrupt = () => {
    interrupted = true
    stop()
  }
  const unsubscribe = opts.onInterrupt(interrupt)
  try {
    const answer = await conversation.ask(message)
    stop = () => answer.stop()
    if (interrupted) answer.stop()
    const view = opts.json ? new JsonLinesView(io.stdout) : textViewFor(io)
    const outcome = await playAnswer(answer, view, {
      onFirstEvent: () => spinner?.stop(),
      ...(opts.approve ? {approve: terminalApprover(io, interrupt)} : {}),
    })
    if (outcome.kind === 'failed') throw outcome.error
    if (outcome.kind === 'stopped') throw AnswerFailed.stopped('aborted')
    if (!opts.json && io.interactiveStderr) {
      io.stderr.write(styles(io).err.dim(`session ${answer.sessionId} · continue with --session ${answer.sessionId}`) + '\n')
    }
    return {session_id: answer.sessionId, message_id: outcome.messageId}
  } finally {
    spinner?.stop()
    unsubscribe()
  }
}
