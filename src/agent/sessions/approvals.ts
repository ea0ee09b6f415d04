import type {ApprovalAnswer} from './tool-loop.js'

/**
 * Tool calls of one answer waiting for the person's yes or no (`clawd chat --approve`). The
 * agent has sent `tool.start` with `needs_approval`; the client answers on the message's approve
 * route. No answer within the timeout, or the answer stopping, counts as no. A second wait on an
 * id still waiting is a no at once, never a shadow of the first (ids: the loop's answerCallId).
 */
export class PendingApprovals {
  private readonly waiting = new Map<string, (approved: boolean) => void>()

  wait(callId: string, timeoutMs: number, signal: AbortSignal): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      if (this.waiting.has(callId)) return resolve('no_answer')
      const settle = (answer: ApprovalAnswer) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        this.waiting.delete(callId)
        resolve(answer)
      }
      const onAbort = () => settle('no_answer')
      const timer = setTimeout(() => settle('no_answer'), timeoutMs)
      if (signal.aborted) return settle('no_answer')
      signal.addEventListener('abort', onAbort, {once: true})
      this.waiting.set(callId, (approved) => settle(approved ? 'approved' : 'denied'))
    })
  }

  /** The person's answer; false when no call with that id is waiting. */
  answer(callId: string, approved: boolean): boolean {
    const resolve = this.waiting.get(callId)
    if (!resolve) return false
    resolve(approved)
    return true
  }
}
