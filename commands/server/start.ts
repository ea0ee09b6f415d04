import {BaseCommand} from '../../src/cli/kit/base-command.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {ExitCode} from '../../src/cli/kit/exit-codes.js'
import {join} from 'node:path'
import {configFromStartOptions, serverStartFlags} from '../../src/cli/server/start-flags.js'
import {
  DataDirBusyError,
  drainReplica,
  EmbeddedPostgresError,
  EmbeddedPostgresMissingError,
  loadTlsFiles,
  type RunningServer,
  serverBackgroundJobs,
  startServer,
} from '../../src/server/index.js'

export default class ServerStart extends BaseCommand {
  static override summary = 'Run the companion API on this machine.'
  static override description =
    'An embedded PostgreSQL in the data dir (unix socket only) unless --database-url names a PostgreSQL server. ' +
    'SIGTERM or Ctrl-C drains in-flight requests before exit.'
  static override enableJsonFlag = false
  static override examples = ['<%= config.bin %> server start', '<%= config.bin %> server start --port 0 --data-dir ./data']
  static override flags = serverStartFlags

  async run(): Promise<void> {
    const {flags} = await this.parse(ServerStart)
    let config
    try {
      config = configFromStartOptions(flags)
      if (config.tls) await loadTlsFiles(config.tls)
    } catch (error) {
      throw CliError.usage((error as Error).message)
    }
    let server
    try {
      server = await startServer(config, {onStarted: await serverBackgroundJobs()})
    } catch (error) {
      if (error instanceof DataDirBusyError) {
        throw new CliError({
          code: 'data_dir_busy',
          message: error.message,
          hint: 'Stop that server first, or pass a different --data-dir.',
          exitCode: ExitCode.conflict,
        })
      }
      if (error instanceof EmbeddedPostgresError || error instanceof EmbeddedPostgresMissingError) {
        throw new CliError({
          code: 'store_unavailable',
          message: error.message,
          hint:
            (error instanceof EmbeddedPostgresError && error.hint) ||
            `See ${join(config.dataDir, 'pg', 'postgres.log')} for what PostgreSQL said, or run on your own PostgreSQL with --database-url.`,
          exitCode: ExitCode.unavailable,
        })
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new CliError({code: 'port_in_use', message: `Port ${config.port} is already in use.`, hint: 'Pass --port 0 for a free port, or another --port.', exitCode: ExitCode.conflict})
      }
      throw error
    }
    this.out.note(`clawd API listening on ${server.url}`)
    this.out.note(`data dir: ${config.dataDir}`)
    for (const line of server.ctx.startupNotes ?? []) this.out.note(line)
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        const drained = signal === 'SIGTERM' && config.replicas.drainOnExit ? this.drainInstances(server) : Promise.resolve()
        void drained.then(() => {
          this.out.note(`${signal}: draining in-flight requests…`)
          return server.close()
        }).then(resolve, resolve)
      }
      process.once('SIGTERM', () => stop('SIGTERM'))
      process.once('SIGINT', () => stop('SIGINT'))
    })
  }

  /** --drain-on-exit: move every instance to the other replicas before stopping (never fatal). */
  private async drainInstances(server: RunningServer): Promise<void> {
    this.out.note('SIGTERM: moving this replica’s instances to the other replicas…')
    try {
      const result = await drainReplica(server.ctx)
      this.out.note(`moved ${result.moved.length} instance(s)${result.failed.length ? `; ${result.failed.length} stayed: ${result.failed.map((f) => `${f.name} (${f.reason})`).join(', ')}` : ''}`)
    } catch (error) {
      this.out.note(`drain failed: ${(error as Error).message}`)
    }
  }
}
