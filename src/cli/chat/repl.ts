import {createInterface, type Interface} from 'node:readline'
import {CliError} from '../kit/errors.js'
import {ExitCode, type ExitCodeValue} from '../kit/exit-codes.js'
import {createSpinner, type Spinner} from '../kit/spinner.js'
import {styles} from '../kit/style.js'
import {toCliError, writeError} from '../kit/base-command.js'
import {playAnswer, textViewFor} from './answer-view.js'
import {approvalQuestion, isYes} from './approval-prompt.js'
import type {ChatOnceOptions} from './chat-once.js'
import type {Answer} from './conversation.js'
import {checkModel} from './open-chat.js'

/** As for chatOnce; onInterrupt hears SIGINT from outside the terminal (kill -INT): readline gets Ctrl-C itself. */
export type ReplOptions = Pick<ChatOnceOptions, 'io' | 'conversation' | 'onInterrupt' | 'approve'> & {
  instanceName: string
  /** True when the instance is not running, so the next message will resume it first. */
  needsResume: () => Promise<boolean>
}

const HELP = '/new starts a new session · /model provider/model switches the model · /exit leaves · Ctrl-C stops an answer · Ctrl-D leaves'

/**
 * The interactive chat: a readline prompt with history on stderr, answers streamed to stdout.
 * Ctrl-C during an answer stops that answer and keeps the session; Ctrl-C at an empty prompt
 * (so also a second Ctrl-C) leaves with 130; /exit and Ctrl-D leave with 0.
 */
export function runRepl(opts: ReplOptions): Promise<ExitCodeValue> {
  const {io, conversation} = opts
  const c = styles(io).err
  const note = (line: string) => io.stderr.write(line + '\n')
  const rl: Interface = createInterface({
    input: io.stdin,
    output: io.stderr,
    terminal: true,
    historySize: 500,
    removeHistoryDuplicates: true,
    prompt: c.cyan('› '),
  })

  return new Promise<ExitCodeValue>((resolve) => {
    let finished = false
    /** A message is on its way: from sending it until its answer is over. */
    let busy = false
    let answer: Answer | undefined
    let stopWanted = false
    /** Set while a tool call waits for the person's y/N: the next line typed is the answer. */
    let approval: ((yes: boolean) => void) | undefined

    const finish = (code: ExitCodeValue) => {
      if (finished) return
      finished = true
      unsubscribe()
      answer?.stop()
      rl.close()
      resolve(code)
    }

    const interrupt = () => {
      if (approval) {
        // Ctrl-C at the question is a no, and stops the answer.
        io.stderr.write('\n')
        approval(false)
      }
      if (busy) {
        // The text stops at once; "(stopped)" follows when the API has confirmed.
        stopWanted = true
        answer?.stop()
        return
      }
      if (rl.line.length > 0) {
        // Like a shell: Ctrl-C drops the line being typed; the next one (on an empty line) leaves.
        rl.write(null, {ctrl: true, name: 'e'})
        rl.write(null, {ctrl: true, name: 'u'})
        note(c.dim('\n(press Ctrl-C again, Ctrl-D or type /exit to leave)'))
        rl.prompt()
        return
      }
      io.stderr.write('\n')
      finish(ExitCode.interrupted)
    }
    const unsubscribe = opts.onInterrupt(interrupt)

    const send = async (text: string) => {
      busy = true
      stopWanted = false
      const fresh = conversation.sessionId === undefined
      let spinner: Spinner | undefined
      try {
        if (await opts.needsResume()) spinner = (await createSpinner(io, `Resuming ${opts.instanceName}…`)).start()
        answer = await conversation.ask(text)
        if (fresh) note(c.dim(`(new session ${answer.sessionId})`))
        if (stopWanted) answer.stop()
        const outcome = await playAnswer(answer, textViewFor(io), {
          onFirstEvent: () => spinner?.stop(),
          ...(opts.approve ? {approve: ask} : {}),
        })
        if (outcome.kind === 'stopped') note(c.dim('(stopped)'))
        if (outcome.kind === 'failed') writeError(io, outcome.error)
      } catch (error) {
        writeError(io, toCliError(error as Error))
      } finally {
        spinner?.stop()
        answer = undefined
        busy = false
      }
    }

    const ask = (event: Parameters<typeof approvalQuestion>[0]) =>
      new Promise<boolean>((resolve) => {
        approval = (yes) => {
          approval = undefined
          resolve(yes)
        }
        rl.setPrompt(approvalQuestion(event))
        rl.prompt()
      }).finally(() => rl.setPrompt(c.cyan('› ')))

    const command = (line: string) => {
      const [name, ...rest] = line.split(/\s+/)
      const arg = rest.join(' ').trim()
      switch (name) {
        case '/exit':
        case '/quit':
          return finish(ExitCode.ok)
        case '/new':
          conversation.startNew()
          return note(c.dim('(the next message starts a new session)'))
        case '/model':
          if (!arg) return note(`model: ${conversation.model ?? 'the session’s default'}`)
          try {
            conversation.model = checkModel(arg)
            return note(c.dim(`(next messages use ${conversation.model})`))
          } catch (error) {
            return writeError(io, error as CliError)
          }
        case '/help':
          return note(HELP)
        default:
          return note(`Unknown command ${name}. ${HELP}`)
      }
    }

    rl.on('line', (line) => {
      if (approval) return approval(isYes(line))
      // Lines typed while an answer streams are not messages: the person had not seen the answer.
      if (busy || finished) return
      const text = line.trim()
      if (text.startsWith('/')) command(text)
      else if (text) {
        void send(text).then(() => {
          if (!finished) rl.prompt()
        })
        return
      }
      if (!finished) rl.prompt()
    })
    rl.on('SIGINT', interrupt)
    rl.on('close', () => finish(ExitCode.ok))

    note(c.dim(`Chatting with ${opts.instanceName}${conversation.model ? ` (${conversation.model})` : ''}. ${HELP}`))
    rl.prompt()
  })
}
