import {defaultConfig, type ServerConfig} from './config.js'
import {defaultDataDir} from './data-dir.js'
import {parseRequestRate} from './ratelimit/requests.js'
import {loadTlsFiles} from './tls.js'

/**
 * How an operator configures `server start`, named as they name it (each key is a flag of
 * `clawd server start` and a CLAWD_… variable); durations are in ms. The CLI parses them, the
 * server maps them to its config.
 */
export interface ServerStartOptions {
  host: string
  port: number
  'data-dir'?: string
  'database-url'?: string
  'database-schema'?: string
  'public-url'?: string
  'trust-proxy': boolean
  'log-level': string
  'idle-timeout': number
  retention: number
  'sweep-interval'?: number
  'access-token-ttl'?: number
  'device-poll-interval'?: number
  sandbox: string
  'max-instances'?: number
  'max-running'?: number
  'egress-allow'?: string[]
  'provider-url'?: string[]
  'messages-per-day'?: number
  'concurrent-streams'?: number
  'dedicated-messages-per-day'?: number
  'dedicated-concurrent-streams'?: number
  'stream-grace'?: number
  'dev-delay'?: number
  'tool-max-steps'?: number
  'tool-max-time'?: number
  'tls-cert'?: string
  'tls-key'?: string
  'rate-limit-token'?: string
  'rate-limit-ip'?: string
  'log-retention': number
  'allow-private-egress': boolean
  'internal-port'?: number
  'internal-host'?: string
  'internal-url'?: string
  'drain-on-exit': boolean
  'replica-gone-after'?: number
}

/** The server's config from the operator's options; throws an Error saying what is wrong with one. */
export function configFromStartOptions(options: ServerStartOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const config = defaultConfig(options['data-dir'] ?? defaultDataDir(env))
  config.host = options.host
  config.port = options.port
  config.databaseUrl = options['database-url']
  config.databaseSchema = options['database-schema']
  config.publicUrl = options['public-url']
  config.trustProxy = options['trust-proxy']
  config.logLevel = options['log-level']
  config.instances.idleTimeoutMs = options['idle-timeout']
  config.instances.retentionMs = options.retention
  config.instances.sandbox = options.sandbox as ServerConfig['instances']['sandbox']
  if (options['sweep-interval'] !== undefined) config.instances.sweepIntervalMs = options['sweep-interval']
  if (options['access-token-ttl'] !== undefined) config.auth.accessTokenTtlMs = options['access-token-ttl']
  if (options['device-poll-interval'] !== undefined) config.auth.devicePollIntervalSec = options['device-poll-interval']
  if (options['max-instances'] !== undefined) config.instances.maxPerUser = options['max-instances']
  if (options['max-running'] !== undefined) config.instances.maxRunningPerUser = options['max-running']
  if (options['egress-allow']) config.egressAllow.push(...options['egress-allow'])
  for (const pair of options['provider-url'] ?? []) {
    const eq = pair.indexOf('=')
    if (eq < 1) throw new Error(`--provider-url takes NAME=URL, got "${pair}"`)
    config.providerBaseUrls[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (options['messages-per-day'] !== undefined) config.plans.free!.messagesPerDay = options['messages-per-day']
  if (options['concurrent-streams'] !== undefined) config.plans.free!.concurrentStreams = options['concurrent-streams']
  if (options['dedicated-messages-per-day'] !== undefined) config.plans.dedicated!.messagesPerDay = options['dedicated-messages-per-day']
  if (options['dedicated-concurrent-streams'] !== undefined) config.plans.dedicated!.concurrentStreams = options['dedicated-concurrent-streams']
  if (options['stream-grace'] !== undefined) config.agent.streamGraceMs = options['stream-grace']
  if (options['dev-delay'] !== undefined) config.agent.devDeltaDelayMs = options['dev-delay']
  if (options['tool-max-steps'] !== undefined) config.agent.toolMaxSteps = options['tool-max-steps']
  if (options['tool-max-time'] !== undefined) config.agent.toolMaxMs = options['tool-max-time']
  if (options['tls-cert'] && options['tls-key']) {
    config.tls = {certFile: options['tls-cert'], keyFile: options['tls-key']}
    loadTlsFiles(config.tls)
  }
  if (options['rate-limit-token'] !== undefined) config.rateLimits.perToken = parseRequestRate(options['rate-limit-token'])
  if (options['rate-limit-ip'] !== undefined) config.rateLimits.perIp = parseRequestRate(options['rate-limit-ip'])
  config.logRetentionMs = options['log-retention']
  config.allowPrivateEgress = options['allow-private-egress']
  config.replicas.internalPort = options['internal-port']
  config.replicas.internalHost = options['internal-host']
  if (options['internal-url'] !== undefined) {
    if (!/^https?:\/\/[^/]+\/?$/.test(options['internal-url'])) throw new Error(`--internal-url takes an origin like http://10.0.0.5:7421, got "${options['internal-url']}"`)
    if (options['internal-port'] === undefined) throw new Error('--internal-url needs --internal-port: it names where that listener is reached')
    config.replicas.internalUrl = options['internal-url'].replace(/\/$/, '')
  }
  config.replicas.drainOnExit = options['drain-on-exit']
  if (options['replica-gone-after'] !== undefined) config.replicas.goneAfterMs = options['replica-gone-after']
  return config
}
