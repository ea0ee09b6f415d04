import {once} from 'node:events'
import {chmod, chown, rm} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'

/**
 * One unix socket server per instance, for the services the runtime offers into an agent's
 * sandbox (the egress proxy, the tool launcher): listen at a path (0600, optionally handed to
 * the agent's uid), track open connections, and on close cut them and remove the socket file.
 */
export class InstanceSockets {
  private readonly servers = new Map<string, {server: Server; path: string; sockets: Set<Socket>}>()

  /**
   * Listens for `instanceId` at `socketPath` (idempotent). `accept` gets each connection and how
   * many are open, and says whether it keeps it (counted and cut on close) or refused it.
   */
  async open(instanceId: string, socketPath: string, accept: (client: Socket, open: number) => boolean, owner?: {uid: number; gid: number}): Promise<void> {
    if (this.servers.has(instanceId)) return
    const sockets = new Set<Socket>()
    const server = createServer((client) => {
      client.on('error', () => {})
      if (!accept(client, sockets.size)) return
      sockets.add(client)
      client.once('close', () => sockets.delete(client))
    })
    await rm(socketPath, {force: true})
    server.listen(socketPath)
    await once(server, 'listening')
    await chmod(socketPath, 0o600)
    if (owner) await chown(socketPath, owner.uid, owner.gid)
    this.servers.set(instanceId, {server, path: socketPath, sockets})
  }

  /** Stops listening for `instanceId` and cuts its open connections. */
  async close(instanceId: string): Promise<void> {
    const entry = this.servers.get(instanceId)
    if (!entry) return
    this.servers.delete(instanceId)
    const closed = new Promise<void>((resolve) => entry.server.close(() => resolve()))
    for (const socket of entry.sockets) socket.destroy()
    await closed
    await rm(entry.path, {force: true})
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.close(id)))
  }

  /** Open connections of one instance. */
  count(instanceId: string): number {
    return this.servers.get(instanceId)?.sockets.size ?? 0
  }
}
