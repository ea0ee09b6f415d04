import type {Writable} from 'node:stream'
import type {StreamEvent, Usage} from '../../contract/stream.js'
import {AnswerFailed} from './answer-failure.js'
import type {Answer} from './conversation.js'

/** Where an answer's events go as they arrive. */
export interface AnswerView {
  event(event: StreamEvent): Promise<void>
  /** The answer is over, however it ended. */
  close(): Promise<void>
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

/** The answer's text, each delta written the moment it arrives. */
export class TextView implements AnswerView {
  private wrote = false
  private endsWithNewline = true

  constructor(private readonly out: Writable) {}

  async event(event: StreamEvent): Promise<void> {
    if (event.type !== 'text.delta' || event.text === '') return
    this.wrote = true
    this.endsWithNewline = event.text.endsWith('\n')
    await write(this.out, event.text)
  }

  async close(): Promise<void> {
    if (this.wrote && !this.endsWithNewline) await write(this.out, '\n')
  }
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

/**
 * Plays an answer into a view and says how it ended. Once the person asked to stop, no more text
 * is shown even if the API still sends some before it confirms.
 */
export async function playAnswer(answer: Answer, view: AnswerView, hooks: {onFirstEvent?: () => void} = {}): Promise<AnswerOutcome> {
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
