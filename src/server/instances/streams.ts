import type {StreamErrorCode} from '../../contract/stream.js'

/**
 * Open streams per instance, so that the sweeper does not pause an instance mid-answer and a
 * delete can end every open chat stream with a clear event instead of a cut connection.
 */
export class StreamRegistry {
  private readonly open = new Map<string, Set<(reason: StreamErrorCode) => void>>()

  /** Registers an open stream; the returned function unregisters it. */
  add(instanceId: string, abort: (reason: StreamErrorCode) => void): () => void {
    let set = this.open.get(instanceId)
    if (!set) this.open.set(instanceId, (set = new Set()))
    set.add(abort)
    return () => {
      set.delete(abort)
      if (set.size === 0) this.open.delete(instanceId)
    }
  }

  abortAll(instanceId: string, reason: StreamErrorCode): void {
    for (const abort of [...(this.open.get(instanceId) ?? [])]) abort(reason)
  }

  activeInstanceIds(): string[] {
    return [...this.open.keys()]
  }

  count(instanceId: string): number {
    return this.open.get(instanceId)?.size ?? 0
  }
}
