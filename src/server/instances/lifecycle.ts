import {agentApi, type RouteSpec} from '../../contract/routes/index.js'
import {randomBytes} from 'node:crypto'
import type {Isolation} from '../../contract/instances.js'
import type {ToolProfile} from '../../contract/tool-policy.js'
import type {InstanceDriver} from '../../runtime/driver.js'
import {recordLifecycle} from '../access-log.js'
import type {ServerCore} from '../core.js'
import {ApiError} from '../errors.js'
import type {Queryable} from '../store/db.js'
import {newId} from '../../ids.js'
import {
  countInstances,
  deleteInstanceRow,
  findInstance,
  getInstance,
  insertInstance,
  type InstanceRow,
  setIsolationAndKey,
  transition,
} from './repo.js'
import {instanceUnavailable, unreachableReason} from './placement.js'
import {internalPaths, type ReplicaAddress} from '../replicas/client.js'
import {instanceSecret, mintDataKey, openDataKey} from './secrets.js'
import {assertPolicyFitsPlan, defaultToolPolicy} from './tool-policy.js'
import {planOf} from '../quotas/plans.js'
import {purgeDeletedRows} from '../store/purge.js'
import {type AgentAnswer, AgentClients, type AgentRoute, type AgentRouteInput} from '../../runtime/agent-client.js'
import {StreamRegistry} from './streams.js'
import {InFlightWork} from './in-flight.js'
import {syncKeys} from '../keys/sync.js'

const START_WAIT_MS = 30_000

/**
 * The instance lifecycle (`ctx.instances`): the state machine in the database, the processes in
 * the driver. Database transitions are conditional updates, so they are safe under concurrent
 * requests and several API processes; the driver work that follows each transition runs in this
 * process, which owns the instances it started (the local driver's processes live here). What
 * runs without a request is built on it: supervision.ts (start-up, crashes) and sweeps.ts.
 */
export class InstanceLifecycle {
  readonly streams = new StreamRegistry()
  readonly agents = new AgentClients()
  readonly work: InFlightWork

  constructor(
    private readonly ctx: ServerCore,
    readonly driver: InstanceDriver,
  ) {
    this.work = new InFlightWork(ctx.log)
  }

  get isolation(): Isolation {
    return this.driver.isolation
  }

  // ---- user-facing operations (all as the user, under RLS) ----

  /**
   * The user's instance by id or name: another user's, or a ref of the wrong shape, is simply not
   * found (404, never 403). The hint says where the user sees their instances.
   */
  async owned(userId: string, ref: string, hint = 'See your instances with `clawd instance list`.'): Promise<InstanceRow> {
    const row = await this.ctx.db.asUser(userId, (q) => findInstance(q, ref))
    if (!row) throw ApiError.notFound('instance', hint)
    return row
  }

  async create(userId: string, req: {name?: string; model?: string; tools?: ToolProfile}): Promise<InstanceRow> {
    const id = newId('ins')
    const {dataKey, wrapped} = mintDataKey(this.ctx, id)
    // Placement: the live replica with the fewest running instances (this one when alone).
    const placed = this.ctx.cluster ? ((await this.ctx.cluster.registry.place()) ?? {id: this.ctx.cluster.registry.self, internal_url: this.ctx.cluster.registry.internalUrl}) : undefined
    const row = await this.ctx.db.asUser(userId, async (q) => {
      await lockUser(q, userId)
      const counts = await countInstances(q, userId)
      const {maxPerUser, maxRunningPerUser} = this.ctx.config.instances
      if (counts.total >= maxPerUser) {
        throw ApiError.quota(
          `You have ${counts.total} instances, the most your plan allows (${maxPerUser}).`,
          'Delete one with `clawd instance delete NAME` first.',
        )
      }
      if (counts.running >= maxRunningPerUser) throw runningQuota(maxRunningPerUser)
      // Default: every tool where the plan has them (what dedicated is for), none on free.
      const plan = await planOf(q, this.ctx.config, userId)
      const toolPolicy = req.tools ? {profile: req.tools, allow: [], deny: []} : defaultToolPolicy(plan)
      assertPolicyFitsPlan(plan, toolPolicy)
      const name = req.name ?? defaultName()
      if (await findInstance(q, name)) {
        throw ApiError.conflict(`You already have an instance named "${name}".`, 'Pick another name.', 'already_exists')
      }
      const inserted = await insertInstance(q, {
        id,
        userId,
        name,
        model: req.model ?? 'dev/echo',
        wrappedDataKey: wrapped,
        toolPolicy,
        replicaId: placed?.id ?? null,
        endpoint: placed?.internal_url ?? null,
      })
      await recordLifecycle(q, {userId, instanceId: id, event: 'instance.created', detail: {name, tools: toolPolicy.profile}})
      return inserted
    })
    if (!this.isLocal(row)) {
      dataKey.fill(0)
      this.work.track(id, this.bootRemote(row, 'creating', true))
      return row
    }
    // Storage before the answer: it marks the instance as this process's (see `held`), so a
    // restart after a crash mid-create finds and reconciles it. A failure here is retried and
    // reported by the boot.
    await this.driver.create(id).catch(() => {})
    this.work.track(id, this.boot(userId, id, dataKey, 'creating'))
    return row
  }

  async pause(userId: string, ref: string): Promise<InstanceRow> {
    const row = await this.owned(userId, ref)
    if (row.state === 'paused' || row.state === 'pausing') return row
    if (row.state !== 'running') throw wrongState(row, 'pause')
    this.requireReachable(row)
    const moved = await this.ctx.db.asUser(userId, (q) => transition(q, row.id, ['running'], 'pausing'))
    if (!moved) throw wrongState((await this.owned(userId, ref)), 'pause')
    this.work.track(row.id, this.isLocal(row) ? this.stopProcess(userId, row.id, 'instance.paused', {}) : this.remoteOp(row, 'stop', {event: 'instance.paused'}))
    return moved
  }

  async resume(userId: string, ref: string): Promise<InstanceRow> {
    const row = await this.owned(userId, ref)
    return this.beginResume(userId, row)
  }

  /**
   * What the gateway calls before forwarding: a paused instance is resumed transparently and the
   * caller waits for it (bounded); a deleted one is gone.
   */
  async ensureRunning(userId: string, ref: string): Promise<InstanceRow> {
    const deadline = Date.now() + START_WAIT_MS
    for (;;) {
      let row = await this.owned(userId, ref)
      this.requireReachable(row)
      if (row.state === 'running') return row
      if (row.state === 'deleting') throw ApiError.notFound('instance')
      if (row.state === 'paused' || row.state === 'failed') row = await this.beginResume(userId, row)
      await this.work.waitFor(row.id, deadline)
      if (Date.now() > deadline) {
        throw ApiError.unavailable(`Instance "${row.name}" did not become ready in time.`, 'Try again, or see `clawd instance show`.')
      }
    }
  }

  async delete(userId: string, ref: string): Promise<InstanceRow> {
    const row = await this.owned(userId, ref)
    const moved = await this.ctx.db.asUser(userId, (q) =>
      transition(q, row.id, ['creating', 'running', 'pausing', 'paused', 'resuming', 'failed', 'deleting'], 'deleting'),
    )
    if (!moved) throw ApiError.notFound('instance')
    this.streams.abortAll(row.id, 'instance_deleted')
    await this.work.settle(row.id)
    if (this.isLocal(row)) {
      await this.finishDelete(userId, row.id, row.name, 'instance.deleted')
    } else if (unreachableReason(row, this.goneAfterMs)) {
      // Its replica is gone: the row and its wrapped data key go now (crypto-shredding makes the
      // files there useless); that replica removes the files when it comes back (reconcile).
      await this.forgetRow(userId, row.id, row.name, 'instance.deleted')
    } else {
      await this.remoteOp(row, 'destroy', {event: 'instance.deleted'})
    }
    return moved
  }

  /** Where the gateway reaches an instance: its socket here, or the replica that runs it. */
  routeFor(row: InstanceRow): AgentRoute {
    if (this.isLocal(row)) return this.localRoute(row.id)
    this.requireReachable(row)
    if (!row.endpoint) throw instanceUnavailable(row, `its replica ${row.replica_id} has no internal address`)
    return this.ctx.cluster!.client.agentRoute(row.id, {replicaId: row.replica_id!, endpoint: row.endpoint})
  }

  /** One call to the agent of the user's instance, resuming it first when paused. */
  async callAgent<R extends RouteSpec>(userId: string, instanceId: string, route: R, input?: AgentRouteInput<R>): Promise<AgentAnswer<R>> {
    return this.agents.call(this.routeFor(await this.ensureRunning(userId, instanceId)), route, input)
  }

  /** The route to an agent this replica runs. */
  localRoute(id: string): AgentRoute {
    return this.agents.localRoute(this.driver.connect(id).socketPath, instanceSecret(this.ctx, id))
  }

  /** The route by id (export and other callers that hold only the id). */
  async connect(instanceId: string): Promise<AgentRoute> {
    const row = await this.getById(instanceId)
    if (!row) throw ApiError.notFound('instance')
    return this.routeFor(row)
  }

  /** 503 with Retry-After when the replica that runs the instance is gone. */
  requireReachable(row: InstanceRow): void {
    if (this.isLocal(row)) return
    const reason = unreachableReason(row, this.goneAfterMs)
    if (reason) throw instanceUnavailable(row, reason)
  }

  /** Whether this replica runs the instance (or no replicas are in play). */
  isLocal(row: Pick<InstanceRow, 'replica_id'>): boolean {
    return !this.ctx.cluster || row.replica_id === null || row.replica_id === this.ctx.cluster.registry.self
  }

  private get goneAfterMs(): number {
    return this.ctx.config.replicas.goneAfterMs
  }

  // ---- work another replica asks of this one (src/server/replicas/internal-app.ts) ----

  /** Boots an instance this replica holds, from `from` (the caller made that transition). */
  async bootHere(id: string, from: 'creating' | 'resuming', firstBoot: boolean): Promise<void> {
    const row = await this.getById(id)
    if (!row || !row.wrapped_data_key) throw ApiError.notFound('instance')
    await this.work.track(id, this.boot(row.user_id, id, openDataKey(this.ctx, id, row.wrapped_data_key), from, firstBoot))
  }

  /** Stops an instance this replica runs (the caller moved it to pausing). */
  async stopHere(id: string, event: string): Promise<void> {
    const row = await this.getById(id)
    if (!row) throw ApiError.notFound('instance')
    await this.work.track(id, this.stopProcess(row.user_id, id, event, {}))
  }

  /** Finishes the delete of an instance this replica holds (the caller moved it to deleting). */
  async destroyHere(id: string, event: string): Promise<void> {
    const row = await this.getById(id)
    if (!row) return
    this.streams.abortAll(id, 'instance_deleted')
    await this.work.settle(id)
    await this.finishDelete(row.user_id, id, row.name, event)
  }

  /** Removes the storage here of an instance that now lives elsewhere (the end of a drain). */
  async forgetLocalStorage(id: string): Promise<void> {
    await this.agents.forget(this.driver.connect(id).socketPath)
    await this.driver.destroy(id)
  }

  private address(row: InstanceRow): ReplicaAddress {
    return {id: row.replica_id!, internal_url: row.endpoint}
  }

  /** Asks the owning replica to boot; a hop that fails leaves the instance failed, with the reason. */
  private async bootRemote(row: InstanceRow, from: 'creating' | 'resuming', firstBoot: boolean): Promise<void> {
    let failure: string | undefined
    try {
      const res = await this.ctx.cluster!.client.call<{detail?: string}>(this.address(row), 'POST', internalPaths.op(row.id, 'boot'), {from, first_boot: firstBoot})
      if (res.status !== 200) failure = `its replica answered ${res.status}${res.body?.detail ? ` (${res.body.detail})` : ''}`
    } catch (error) {
      failure = `its replica did not answer (${(error as Error).message})`
    }
    if (failure) {
      const reason = `The agent did not start: ${failure}`.slice(0, 500)
      await this.ctx.db.asSystem((q) => transition(q, row.id, [from], 'failed', {failureReason: reason, record: {userId: row.user_id, event: 'instance.failed', detail: {reason}}}))
    }
  }

  private async remoteOp(row: InstanceRow, op: 'stop' | 'destroy', body: {event: string}): Promise<void> {
    const res = await this.ctx.cluster!.client.call<{detail?: string}>(this.address(row), 'POST', internalPaths.op(row.id, op), body)
    if (res.status !== 200) throw ApiError.unavailable(`The replica that runs instance "${row.name}" could not ${op} it (it answered ${res.status}).`, 'Try again.')
  }

  /** Stops every process this server started (server shutdown). Rows stay as they are: reconcile fixes them. */
  async shutdown(): Promise<void> {
    await this.work.settleAll()
    await this.agents.closeAll()
    await this.driver.shutdown()
  }

  /**
   * The instances this process may act on in its jobs: those its driver holds. For the local
   * driver that is the storage in this data dir, so with several API processes on one database each
   * reconciles, pauses and removes only its own instances (another process could flag them in the
   * database but not stop their processes or remove their files); a cluster driver holds them all,
   * and then SKIP LOCKED and the conditional transitions keep two sweeps off the same row.
   * An instance with no storage anywhere (its create was cut off before any) is left to its user.
   */
  held(): Promise<string[]> {
    return this.driver.list()
  }

  // ---- internals ----

  private async beginResume(userId: string, row: InstanceRow): Promise<InstanceRow> {
    if (row.state === 'running' || row.state === 'resuming' || row.state === 'creating') return row
    if (row.state === 'pausing') {
      // Another replica pauses or moves it: poll the row rather than spin on it.
      await this.work.waitFor(row.id)
      return this.beginResume(userId, await this.owned(userId, row.id))
    }
    if (row.state !== 'paused' && row.state !== 'failed') throw wrongState(row, 'resume')
    this.requireReachable(row)
    const moved = await this.ctx.db.asUser(userId, async (q) => {
      await lockUser(q, userId)
      const counts = await countInstances(q, userId)
      const max = this.ctx.config.instances.maxRunningPerUser
      if (counts.running >= max) throw runningQuota(max)
      return transition(q, row.id, ['paused', 'failed'], 'resuming', {touch: true})
    })
    if (!moved) return this.owned(userId, row.id)
    if (!this.isLocal(row)) {
      this.work.track(row.id, this.bootRemote(moved, 'resuming', !row.public_key))
      return moved
    }
    const dataKey = openDataKey(this.ctx, row.id, row.wrapped_data_key!)
    // No public key yet: its create was cut short (server killed), so this boot finishes it.
    this.work.track(row.id, this.boot(userId, row.id, dataKey, 'resuming', !row.public_key))
    return moved
  }

  /**
   * Starts the agent process and moves `from` → running, or → failed with the reason. A first
   * boot makes the storage (idempotent) and records the key pair the agent makes on first start.
   */
  private async boot(userId: string, id: string, dataKey: Buffer, from: 'creating' | 'resuming', firstBoot = from === 'creating'): Promise<void> {
    try {
      if (firstBoot) await this.driver.create(id)
      await this.driver.start(id, {dataKey, secret: instanceSecret(this.ctx, id), config: this.agentConfig()})
      const pub = firstBoot ? await this.fetchPublicKey(id) : null
      // A server killed between the instance storing a key and the database recording it leaves
      // them apart: the database's records win, before anything uses a key.
      if (!firstBoot) await syncKeys(this.ctx, this.agents, this.localRoute(id), userId, id)
      await this.ctx.db.asUser(userId, async (q) => {
        await setIsolationAndKey(q, id, this.driver.isolation, pub)
        await transition(q, id, [from], 'running', {touch: true, record: {userId, event: from === 'creating' ? 'instance.started' : 'instance.resumed'}})
      })
    } catch (error) {
      const reason = `The agent did not start: ${(error as Error).message}`.slice(0, 500)
      this.ctx.log.warn({instance: id, err: {message: (error as Error).message}}, 'instance start failed')
      await this.driver.stop(id).catch(() => {})
      await this.ctx.db.asUser(userId, (q) => transition(q, id, [from], 'failed', {failureReason: reason, record: {userId, event: 'instance.failed', detail: {reason}}}))
    } finally {
      dataKey.fill(0)
    }
  }

  async stopProcess(userId: string, id: string, event: string, detail: Record<string, string>): Promise<void> {
    await this.driver.stop(id)
    await this.ctx.db.asSystem((q) => transition(q, id, ['pausing'], 'paused', {record: {userId, event, detail}}))
  }

  /** Crypto-shredding: the directory goes, then the row with the wrapped data key, then its dead copies. */
  async finishDelete(userId: string, id: string, name: string, event: string): Promise<void> {
    await this.agents.forget(this.driver.connect(id).socketPath)
    await this.driver.destroy(id)
    await this.forgetRow(userId, id, name, event)
  }

  private async forgetRow(userId: string, id: string, name: string, event: string): Promise<void> {
    await this.ctx.db.asSystem(async (q) => {
      await deleteInstanceRow(q, id)
      await recordLifecycle(q, {userId, instanceId: id, event, detail: {name}})
    })
    await purgeDeletedRows(this.ctx.db, 'instances').catch((error: Error) =>
      this.ctx.log.warn({instance: id, err: {message: error.message}}, 'could not purge the deleted data key from the database files'),
    )
  }

  /** The server's `agent` settings are the agent config's own fields, passed on as they are. */
  private agentConfig() {
    return {memoryLimitMb: this.ctx.config.instances.memoryLimitMb, providerBaseUrls: this.ctx.config.providerBaseUrls, ...this.ctx.config.agent}
  }

  /** The agent made its key pair on first start; the API keeps the public half to serve while paused. */
  private async fetchPublicKey(id: string): Promise<{publicKey: string; kid: string} | null> {
    const res = await this.agents.call(this.localRoute(id), agentApi.pubkey)
    if (!res.ok) throw new Error(`the agent answered ${res.status} for its public key`)
    return {publicKey: res.body.public_key, kid: res.body.kid}
  }

  /** For tests and `instance show`: the row by id without a user (system). */
  async getById(id: string): Promise<InstanceRow | undefined> {
    return this.ctx.db.asSystem((q) => getInstance(q, id))
  }
}

/** Serialises quota checks per user: two racing creates cannot both take the last slot. */
async function lockUser(q: Queryable, userId: string): Promise<void> {
  await q.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [userId])
}

function runningQuota(max: number): ApiError {
  return ApiError.quota(
    `You already have ${max} running instances, the most your plan allows.`,
    'Pause one with `clawd instance pause NAME`, then try again.',
  )
}

function wrongState(row: InstanceRow, verb: string): ApiError {
  return ApiError.conflict(
    `Instance "${row.name}" is ${row.state}${row.failure_reason ? ` (${row.failure_reason})` : ''}; it cannot ${verb} now.`,
    row.state === 'failed' ? 'Resume it to restart it, or delete it.' : 'Wait for it to settle, then try again (`clawd instance show`).',
    'wrong_state',
  )
}

function defaultName(): string {
  return `agent-${randomBytes(3).toString('hex')}`
}
