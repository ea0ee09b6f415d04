import type {Writable} from 'node:stream'
import type {StreamEvent, Usage} from '../../contract/stream.js'
import type {IOStreams} from '../kit/io.js'
import {styles} from '../kit/style.js'
import {AnswerFailed} from './answer-failure.js'
import type {Answer} from './conversation.js'
import {ToolLines} from './tool-lines.js'

/** Where an answer's events go as they arrive. */
export interface AnswerView {
  event(event: StreamEvent): Promise<void>
  /** The answer is over, however it ended. */
  close(): Promise<void>
  /** Something else was written to the terminal meanwhile (a question), so no line is rewritten over it. */
  aside?(): void
}

/** Writes and, when the pipe is full, waits for it to drain, so a slow reader gets every byte. */
async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done)
      out.off('close', done)
      resolve()
    }
    out.once('drain', done)
    out.once('close', done)
  })
}

/**
 * The answer's text on stdout, each delta written the moment it arrives, and its tool calls as
 * lines on stderr (see ToolLines). When both streams are the same terminal, a tool line never
 * starts in the middle of a line of text.
 */
export class TextView implements AnswerView {
  private wrote = false
  private endsWithNewline = true

  constructor(
    private readonly out: Writable,
    private readonly tools?: {lines: ToolLines; sameTerminal: boolean},
  ) {}

  async event(event: StreamEvent): Promise<void> {
    if (event.type === 'tool.start' || event.type === 'tool.end') {
      if (!this.tools) return
      if (this.tools.sameTerminal && !this.endsWithNewline) {
        await write(this.out, '\n')
        this.endsWithNewline = true
      }
      if (event.type === 'tool.start') this.tools.lines.start(event)
      else this.tools.lines.end(event)
      return
    }
    if (event.type !== 'text.delta' || event.text === '') return
    this.wrote = true
    this.endsWithNewline = event.text.endsWith('\n')
    if (this.tools?.sameTerminal) this.tools.lines.otherOutput()
    await write(this.out, event.text)
  }

  async close(): Promise<void> {
    if (this.wrote && !this.endsWithNewline) await write(this.out, '\n')
  }

  aside(): void {
    this.tools?.lines.otherOutput()
  }
}

/** The text view for a person: text on stdout, tool lines (dim on a terminal) on stderr. */
export function textViewFor(io: IOStreams): TextView {
  const c = styles(io).err
  const lines = new ToolLines({write: (text) => io.stderr.write(text), rewrite: io.interactiveStderr, dim: c.dim, red: c.red})
  return new TextView(io.stdout, {lines, sameTerminal: Boolean(io.stdout.isTTY && io.stderr.isTTY)})
}

/** `--json`: each contract event as one line of NDJSON, and nothing else. */
export class JsonLinesView implements AnswerView {
  constructor(private readonly out: Writable) {}

  async event(event: StreamEvent): Promise<void> {
    await write(this.out, JSON.stringify(event) + '\n')
  }

  async close(): Promise<void> {}
}

export type AnswerOutcome =
  | {kind: 'complete'; messageId: string; usage: Usage}
  | {kind: 'stopped'}
  | {kind: 'failed'; error: AnswerFailed}

export interface PlayHooks {
  onFirstEvent?: () => void
  /**
   * Asks the person about a call that waits for approval; true runs it. Without it such a call
   * gets no answer (the agent skips it after its timeout), so only pass `approve` to the API
   * together with this hook.
   */
  approve?: (event: Extract<StreamEvent, {type: 'tool.start'}>) => Promise<boolean>
}

/**
 * Plays an answer into a view and says how it ended. Once the person asked to stop, no more text
 * is shown even if the API still sends some before it confirms.
 */
export async function playAnswer(answer: Answer, view: AnswerView, hooks: PlayHooks = {}): Promise<AnswerOutcome> {
  let outcome: AnswerOutcome | undefined
  let first = true
  try {
    for await (const event of answer.events) {
      if (first) {
        first = false
        hooks.onFirstEvent?.()
      }
      if (answer.stopping && event.type === 'text.delta') continue
      await view.event(event)
      if (event.type === 'tool.start' && event.needs_approval && hooks.approve && !answer.stopping) {
        view.aside?.()
        const approved = await hooks.approve(event)
        if (!answer.stopping) await answer.approve(event.id, approved)
      }
      if (event.type === 'message.end') outcome = endOutcome(event, answer.stopping)
      else if (event.type === 'error') {
        outcome = answer.stopping && event.code === 'aborted' ? {kind: 'stopped'} : {kind: 'failed', error: AnswerFailed.fromEvent(event)}
      }
    }
  } finally {
    await view.close()
  }
  // The events end without a last event only when a stopped answer's connection was cut.
  return outcome ?? {kind: 'stopped'}
}

function endOutcome(event: Extract<StreamEvent, {type: 'message.end'}>, stopping: boolean): AnswerOutcome {
  if (event.stop_reason === 'aborted') return stopping ? {kind: 'stopped'} : {kind: 'failed', error: AnswerFailed.stopped('aborted')}
  if (event.stop_reason === 'error') return {kind: 'failed', error: AnswerFailed.stopped('error')}
  return {kind: 'complete', messageId: event.message_id, usage: event.usage}
}
