import {Errors, Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/kit/base-command.js'
import {AnswerFailed, QuietExit} from '../src/cli/chat/answer-failure.js'
import {chatOnce, type ChatOnceResult} from '../src/cli/chat/chat-once.js'
import {chooseChatMode} from '../src/cli/chat/chat-mode.js'
import {openChat} from '../src/cli/chat/open-chat.js'
import {runRepl} from '../src/cli/chat/repl.js'
import {ExitCode} from '../src/cli/kit/exit-codes.js'
import {instanceFlag} from '../src/cli/kit/flags.js'

export default class Chat extends BaseCommand {
  static override summary = 'Chat with your agent: a REPL on a terminal, one message with -m or piped stdin.'
  static override description =
    'The answer is printed as it streams; each tool the agent runs shows as one line on stderr while it runs, then its outcome. ' +
    'With --json each stream event (session, message.start, text.delta, tool.start, tool.end, message.end, error) ' +
    'is printed as one line of NDJSON. With --approve on a terminal, the agent asks y/N before each exec, write and edit ' +
    '(answering n skips the call and the model is told so); without a terminal it never asks, and the instance\'s tool policy alone decides. The exit code is not 0 when the answer failed: 4 the provider refused the key, ' +
    '6 a quota or rate limit, 7 the provider or instance is unavailable, 130 stopped. A dropped connection resumes by itself. ' +
    'In the REPL: /new, /model provider/model, /exit; Ctrl-C stops an answer, Ctrl-D leaves.'
  static override examples = [
    '<%= config.bin %> chat',
    '<%= config.bin %> chat -m "What is in SOUL.md?"',
    'git diff | <%= config.bin %> chat --model anthropic/claude-sonnet-4-5',
    '<%= config.bin %> chat -m hi --model dev/echo --json',
    '<%= config.bin %> chat --model dev/tools --approve',
    '<%= config.bin %> chat --session ses_abcdefghijklmnopqrst -m "and then?"',
  ]
  static override flags = {
    message: Flags.string({char: 'm', summary: 'Send this message and exit after the answer.'}),
    session: Flags.string({summary: 'Continue this session (default: a new one).', exclusive: ['new']}),
    new: Flags.boolean({summary: 'Start a new session (the default without --session).', exclusive: ['session'], default: false}),
    model: Flags.string({summary: 'provider/model for this chat, e.g. anthropic/claude-sonnet-4-5.', env: 'CLAWD_MODEL'}),
    approve: Flags.boolean({summary: 'On a terminal, ask y/N before each exec, write and edit the agent runs.', default: false, env: 'CLAWD_APPROVE'}),
    instance: instanceFlag,
  }

  async run(): Promise<ChatOnceResult | undefined> {
    const {flags} = await this.parse(Chat)
    const json = this.jsonEnabled()
    const mode = await chooseChatMode(this.io, {message: flags.message, json})
    // Only a person at a terminal can be asked; elsewhere --approve asks nothing and the policy decides.
    const approve = flags.approve && !json && this.io.canPrompt && Boolean(this.io.stdin.isTTY)
    if (flags.approve && !approve) {
      this.io.stderr.write('Warning: --approve asks only on an interactive terminal; here the instance’s tool policy alone decides.\n')
    }
    const {api, instance, conversation} = await openChat(this.factory(flags), this.io, {
      instance: flags.instance,
      session: flags.new ? undefined : flags.session,
      model: flags.model,
      approveTools: approve,
    })
    if (mode.kind === 'once') {
      await chatOnce({io: this.io, conversation, instance, json, onInterrupt, approve}, mode.message)
      // With --json the events were the output; nothing more goes to stdout.
      return undefined
    }
    const code = await runRepl({
      io: this.io,
      conversation,
      instanceName: instance.name,
      // A paused instance resumes on demand, which is worth a spinner.
      needsResume: async () => (await api.instances.get({ref: instance.id})).state !== 'running',
      onInterrupt,
      approve,
    })
    if (code !== ExitCode.ok) throw new QuietExit(code)
    return undefined
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<never> {
    if (err instanceof QuietExit) throw new Errors.ExitError(err.exitCode)
    // With --json the failed answer's `error` event is already on stdout.
    if (err instanceof AnswerFailed && this.jsonEnabled()) throw new Errors.ExitError(err.exitCode)
    return super.catch(err)
  }
}

/** SIGINT while chatting stops the answer instead of killing the process. */
function onInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler)
  return () => process.off('SIGINT', handler)
}
