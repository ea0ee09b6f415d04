import type {ServerContext} from '../context.js'
import {startJob} from '../job-runner.js'
import {buildInternalApp} from './internal-app.js'
import {hopKey, NonceCache} from './hop.js'
import {ReplicaClient} from './client.js'
import {ReplicaRegistry, replicaIdFor} from './registry.js'

/**
 * Joins this API process to the replicas on its database: starts the internal listener (when
 * `--internal-port` is set), registers with a heartbeat, and hands the instance manager what it
 * needs to place instances and reach those another replica runs. Called by `startServer` before
 * reconciliation; everything it starts is stopped by the server's close hooks.
 */
export async function joinReplicas(ctx: ServerContext): Promise<void> {
  const {replicas, host} = ctx.config
  const self = replicaIdFor(ctx.config.dataDir)
  const key = hopKey(ctx.secrets.signing)
  let internalUrl = replicas.internalUrl ?? null
  const internal = replicas.internalPort === undefined ? undefined : await buildInternalApp(ctx, {key, self, nonces: new NonceCache()})
  if (internal) {
    const bind = replicas.internalHost ?? host
    await internal.listen({host: bind, port: replicas.internalPort})
    const address = internal.server.address()
    const port = typeof address === 'object' && address ? address.port : replicas.internalPort
    const dial = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind
    internalUrl ??= `http://${dial}:${port}`
  }
  const registry = new ReplicaRegistry(ctx.db, self, replicas.goneAfterMs, internalUrl)
  const client = new ReplicaClient(key)
  try {
    await registry.register(await ctx.instances.driver.list())
  } catch (error) {
    await internal?.close()
    throw error
  }
  ctx.cluster = {registry, client}
  // The heartbeat, every third of the bound; each replica beats for itself.
  const heartbeat = startJob(ctx, {
    name: 'replica-heartbeat',
    periodMs: Math.max(100, Math.floor(replicas.goneAfterMs / 3)),
    scope: 'replica',
    failure: 'replica heartbeat failed',
    run: () => registry.beat(),
  })
  ctx.onClose.push(async () => {
    heartbeat.stop()
    await registry.stop()
    await internal?.close()
    await client.close()
  })
  ctx.startupNotes?.push(`replica: ${self}${internalUrl ? ` · internal listener ${internalUrl}` : ' · no internal listener (--internal-port): instances of other replicas are unreachable from here'}`)
}
