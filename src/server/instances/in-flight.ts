import type {FastifyBaseLogger} from 'fastify'

/**
 * The driver work running per instance in this process (boots, stops), each after the one before,
 * so a request can wait for a start it did not begin and shutdown for everything under way.
 */
export class InFlightWork {
  private readonly work = new Map<string, Promise<void>>()

  constructor(private readonly log: FastifyBaseLogger) {}

  /** Runs `work` after the instance's work in flight; a failure is logged here, and `work` returned as is. */
  track(id: string, work: Promise<void>): Promise<void> {
    const settled = work.catch((error) => this.log.error({instance: id, err: {message: (error as Error).message}}, 'instance work failed'))
    const chained = (this.work.get(id) ?? Promise.resolve()).then(() => settled)
    this.work.set(id, chained)
    void chained.finally(() => {
      if (this.work.get(id) === chained) this.work.delete(id)
    })
    return work
  }

  /** Waits for this process's work on the instance, if any. */
  async settle(id: string): Promise<void> {
    await this.work.get(id)
  }

  /**
   * Waits for this process's work on the instance (until `deadline`, when given); with none here,
   * another process is doing it (several API processes), so the caller polls the row after a pause.
   */
  async waitFor(id: string, deadline?: number): Promise<void> {
    const pending = this.work.get(id)
    if (!pending) await new Promise((r) => setTimeout(r, 100))
    else if (deadline === undefined) await pending
    else await Promise.race([pending, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())])
  }

  async settleAll(): Promise<void> {
    await Promise.allSettled([...this.work.values()])
  }
}
