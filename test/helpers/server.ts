import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll} from 'vitest'
import {defaultConfig, type ServerConfig} from '../../src/server/config.js'
import type {Clock} from '../../src/server/core.js'
import {type RunningServer, serverInfoFile, startServer} from '../../src/server/main.js'
import {BIN} from './cli.js'
import {tempDir} from './tmp.js'

/** The PostgreSQL schema flags for a server process that should share a test store. */
export function storeArgs(store: {databaseUrl?: string; schema?: string}): string[] {
  return store.databaseUrl ? ['--database-url', store.databaseUrl, '--database-schema', store.schema!] : []
}

export interface ServerProcess {
  url: string
  dataDir: string
  child: ChildProcess
  /** Everything the server printed (stdout logs and stderr), for canary checks. */
  output(): string
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
}

/**
 * Runs the built `bin/run.js server start` as a subprocess on 127.0.0.1:0 with a temp data dir
 * (or the one given), and resolves when it has written server.json.
 */
export async function startServerProcess(
  opts: {args?: string[]; env?: NodeJS.ProcessEnv; dataDir?: string; user?: {uid: number; gid: number}; node?: string} = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir('clawd-srv-').path
  const child = spawn(opts.node ?? process.execPath, [BIN, 'server', 'start', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: {...process.env, CLAWD_SANDBOX: process.env.CLAWD_SANDBOX, ...opts.env, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.user ? {uid: opts.user.uid, gid: opts.user.gid} : {}),
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const info = serverInfoFile(dataDir)
  for (;;) {
    if (existsSync(info)) {
      try {
        const parsed = JSON.parse(readFileSync(info, 'utf8')) as {url: string; pid: number}
        if (parsed.pid === child.pid) {
          return {
            url: parsed.url,
            dataDir,
            child,
            output: () => out,
            async stop() {
              if (child.exitCode === null) child.kill('SIGTERM')
              return exited
            },
            async kill() {
              if (child.exitCode === null) child.kill('SIGKILL')
              await exited
            },
          }
        }
      } catch {}
    }
    // Waits as long as the server lives: a busy machine makes it slower, never red. It gives up
    // when the server exits, and shows what it printed.
    if (child.exitCode !== null) {
      throw new Error(`server did not start (exit ${child.exitCode}):\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** An in-process server on 127.0.0.1:0 with a temp data dir, for API-level tests. */
export async function startTestServer(
  tweak: (config: ServerConfig) => void = () => {},
  opts: {clock?: Clock; onStarted?: Array<(s: RunningServer) => Promise<void> | void>; dataDir?: string} = {},
): Promise<RunningServer & {dataDir: string; logs: () => string; dispose(): Promise<void>}> {
  const dir = opts.dataDir ? {path: opts.dataDir, dispose: () => {}} : tempDir('clawd-srv-')
  const config = defaultConfig(dir.path)
  config.port = 0
  config.logLevel = 'info'
  config.instances.sandbox = (process.env.CLAWD_SANDBOX as ServerConfig['instances']['sandbox']) ?? 'auto'
  tweak(config)
  let logs = ''
  const logStream = new (await import('node:stream')).Writable({
    write(chunk, _enc, cb) {
      logs += chunk
      cb()
    },
  })
  const server = await startServer(config, {clock: opts.clock, logStream, onStarted: opts.onStarted})
  return Object.assign(server, {
    dataDir: dir.path,
    logs: () => logs,
    async dispose() {
      await server.close()
      dir.dispose()
    },
  })
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/**
 * One in-process server for the enclosing describe: started in beforeAll, disposed of in afterAll.
 * The handle stands for that server once beforeAll has run (hooks and tests only).
 */
export function useTestServer(...args: Parameters<typeof startTestServer>): TestServer {
  let server: TestServer | undefined
  beforeAll(async () => {
    server = await startTestServer(...args)
  })
  afterAll(() => server?.dispose())
  return new Proxy({} as TestServer, {
    get(_, key) {
      if (!server) throw new Error('the test server starts in beforeAll: use it in a hook or a test')
      const value: unknown = Reflect.get(server, key)
      return typeof value === 'function' ? value.bind(server) : value
    },
  })
}

export const dataPath = (dataDir: string, ...parts: string[]) => join(dataDir, ...parts)
