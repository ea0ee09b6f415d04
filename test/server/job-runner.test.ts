import {afterEach, describe, expect, it, vi} from 'vitest'
import {type Job, startJob} from '../../src/server/job-runner.js'

/** A context with what the runner touches: a log to watch, close hooks, and job_runs claims. */
function fakeCtx(claims: boolean[] = []) {
  const logged: Array<{level: string; obj: unknown; msg: string}> = []
  const at = (level: string) => (obj: unknown, msg: string) => void logged.push({level, obj, msg})
  const claimed: unknown[][] = []
  const ctx = {
    log: {warn: at('warn'), error: at('error'), info: at('info')},
    onClose: [] as Array<() => Promise<void>>,
    cluster: undefined,
    db: {
      query: async (_sql: string, params: unknown[]) => {
        claimed.push(params)
        return claims.shift() === false ? [] : [{name: params[0]}]
      },
    },
  }
  return {ctx: ctx as unknown as Parameters<typeof startJob>[0], logged, claimed, close: () => Promise.all(ctx.onClose.map((h) => h()))}
}

function job(run: () => Promise<unknown>, extra: Partial<Job> = {}): Job {
  return {name: 'test-job', periodMs: 1000, scope: 'replica', run, ...extra}
}

describe('job runner', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs every period, never overlapping a run with itself', async () => {
    vi.useFakeTimers()
    const {ctx, close} = fakeCtx()
    let started = 0
    let release!: () => void
    const run = vi.fn(() => {
      started++
      return new Promise<void>((resolve) => (release = resolve))
    })
    startJob(ctx, job(run))
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toBe(1)
    // Still running: the next ticks are skipped, not stacked.
    await vi.advanceTimersByTimeAsync(3000)
    expect(started).toBe(1)
    release()
    await vi.advanceTimersByTimeAsync(1000)
    expect(started).toBe(2)
    release()
    await close()
  })

  it('logs a failed run at its level and keeps going', async () => {
    vi.useFakeTimers()
    const {ctx, logged, close} = fakeCtx()
    let n = 0
    startJob(ctx, job(async () => {
      if (++n === 1) throw new Error('boom')
    }, {failure: 'test sweep failed', failureLevel: 'error'}))
    await vi.advanceTimersByTimeAsync(1000)
    expect(logged).toEqual([{level: 'error', obj: {job: 'test-job', err: {type: 'Error', message: 'boom'}}, msg: 'test sweep failed'}])
    await vi.advanceTimersByTimeAsync(1000)
    expect(n).toBe(2)
    expect(logged).toHaveLength(1)
    await close()
  })

  it('runs a cluster job only in the periods this replica claims', async () => {
    vi.useFakeTimers()
    const {ctx, claimed, close} = fakeCtx([true, false, true])
    const run = vi.fn(async () => {})
    startJob(ctx, job(run, {scope: 'cluster', name: 'test-sweep'}))
    await vi.advanceTimersByTimeAsync(3000)
    expect(claimed.map((p) => p[0])).toEqual(['test-sweep', 'test-sweep', 'test-sweep'])
    expect(run).toHaveBeenCalledTimes(2)
    await close()
  })

  it('can run at start, and stops with the server', async () => {
    vi.useFakeTimers()
    const {ctx, close} = fakeCtx()
    const run = vi.fn(async () => {})
    startJob(ctx, job(run, {runAtStart: true}))
    await vi.advanceTimersByTimeAsync(0)
    expect(run).toHaveBeenCalledTimes(1)
    await close()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(run).toHaveBeenCalledTimes(1)
  })
})
