import {Flags, type Interfaces} from '@oclif/core'
import {parseDuration} from '../../duration.js'
import {DEFAULT_PORT, defaultConfig, defaultDataDir, parseRequestRate, type ServerConfig} from '../../server/index.js'

const duration = Flags.custom<number>({
  parse: async (input) => parseDuration(input),
})

/**
 * The flags of `server start`; every one has an env fallback (CLAWD_…). configFromStartOptions maps
 * their parsed values (durations in ms) to the server's config.
 */
export const serverStartFlags = {
  host: Flags.string({summary: 'Address to listen on.', env: 'CLAWD_HOST', default: '127.0.0.1'}),
  port: Flags.integer({summary: 'Port to listen on (0 picks a free one).', env: 'CLAWD_PORT', default: DEFAULT_PORT, min: 0, max: 65535}),
  'data-dir': Flags.string({summary: 'Directory for the server’s data (embedded database, instances, keys).', env: 'CLAWD_DATA_DIR'}),
  'database-url': Flags.string({summary: 'PostgreSQL URL; an embedded PostgreSQL in the data dir when absent.', env: 'CLAWD_DATABASE_URL'}),
  'database-schema': Flags.string({summary: 'PostgreSQL schema to use.', env: 'CLAWD_DATABASE_SCHEMA', hidden: true}),
  'public-url': Flags.string({summary: 'URL users reach this API at (behind a proxy).', env: 'CLAWD_PUBLIC_URL'}),
  'trust-proxy': Flags.boolean({summary: 'Trust X-Forwarded-* headers from a reverse proxy.', env: 'CLAWD_TRUST_PROXY', default: false}),
  'log-level': Flags.string({summary: 'Log level.', env: 'CLAWD_LOG_LEVEL', default: 'info', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']}),
  'idle-timeout': duration({summary: 'Pause instances idle this long.', env: 'CLAWD_IDLE_TIMEOUT', default: parseDuration('30m')}),
  retention: duration({summary: 'Delete instances inactive this long.', env: 'CLAWD_RETENTION', default: parseDuration('30d')}),
  'sweep-interval': duration({summary: 'How often the sweeper runs.', env: 'CLAWD_SWEEP_INTERVAL', hidden: true}),
  'access-token-ttl': duration({summary: 'Access token lifetime.', env: 'CLAWD_ACCESS_TOKEN_TTL', hidden: true}),
  'device-poll-interval': Flags.integer({summary: 'Device-grant polling interval in seconds.', env: 'CLAWD_DEVICE_POLL_INTERVAL', hidden: true}),
  sandbox: Flags.string({summary: 'Instance sandbox.', env: 'CLAWD_SANDBOX', options: ['auto', 'bwrap', 'none'], default: 'auto'}),
  'max-instances': Flags.integer({summary: 'Instances per user.', env: 'CLAWD_MAX_INSTANCES', min: 0}),
  'max-running': Flags.integer({summary: 'Running instances per user.', env: 'CLAWD_MAX_RUNNING', min: 0}),
  'egress-allow': Flags.string({summary: 'Host[:port] instances may reach (repeatable).', env: 'CLAWD_EGRESS_ALLOW', multiple: true, delimiter: ','}),
  'provider-url': Flags.string({summary: 'Provider base URL as NAME=URL (repeatable).', env: 'CLAWD_PROVIDER_URLS', multiple: true, delimiter: ','}),
  'messages-per-day': Flags.integer({summary: 'Messages per day on the free plan.', env: 'CLAWD_MESSAGES_PER_DAY', min: 0}),
  'concurrent-streams': Flags.integer({summary: 'Concurrent answer streams per user on the free plan.', env: 'CLAWD_CONCURRENT_STREAMS', min: 1}),
  'dedicated-messages-per-day': Flags.integer({summary: 'Messages per day on the dedicated plan.', env: 'CLAWD_DEDICATED_MESSAGES_PER_DAY', min: 0}),
  'dedicated-concurrent-streams': Flags.integer({
    summary: 'Concurrent answer streams per user on the dedicated plan.',
    env: 'CLAWD_DEDICATED_CONCURRENT_STREAMS',
    min: 1,
  }),
  'stream-grace': duration({summary: 'How long an answer continues with no reader, awaiting a resume.', env: 'CLAWD_STREAM_GRACE', hidden: true}),
  'dev-delay': duration({summary: 'Pause between the dev provider’s deltas.', env: 'CLAWD_DEV_DELAY', hidden: true}),
  'tool-max-steps': Flags.integer({summary: 'Model calls one answer may make when it uses tools (dedicated plan).', env: 'CLAWD_TOOL_MAX_STEPS', min: 1}),
  'tool-max-time': duration({summary: 'Wall time of one answer that uses tools, e.g. 5m.', env: 'CLAWD_TOOL_MAX_TIME'}),
  'tls-cert': Flags.string({summary: 'Serve HTTPS with this certificate (PEM, with its chain).', env: 'CLAWD_TLS_CERT', dependsOn: ['tls-key']}),
  'tls-key': Flags.string({summary: 'The private key (PEM) of --tls-cert.', env: 'CLAWD_TLS_KEY', dependsOn: ['tls-cert']}),
  'rate-limit-token': Flags.string({summary: 'Requests per token, as N/WINDOW (e.g. 1200/1m) or off.', env: 'CLAWD_RATE_LIMIT_TOKEN'}),
  'rate-limit-ip': Flags.string({summary: 'Requests per client address, as N/WINDOW (e.g. 6000/1m) or off.', env: 'CLAWD_RATE_LIMIT_IP'}),
  'log-retention': duration({summary: 'Delete access-log entries older than this.', env: 'CLAWD_LOG_RETENTION', default: parseDuration('30d')}),
  'internal-port': Flags.integer({
    summary: 'Port of the internal listener that other API replicas forward instance traffic to (0 picks a free one).',
    env: 'CLAWD_INTERNAL_PORT',
    min: 0,
    max: 65535,
  }),
  'internal-host': Flags.string({summary: 'Address the internal listener binds (default: --host).', env: 'CLAWD_INTERNAL_HOST'}),
  'internal-url': Flags.string({summary: 'URL other replicas dial for this one’s internal listener, when it differs from the bound address.', env: 'CLAWD_INTERNAL_URL'}),
  'drain-on-exit': Flags.boolean({summary: 'On SIGTERM, move this replica’s instances to the other replicas before exiting.', env: 'CLAWD_DRAIN_ON_EXIT', default: false}),
  'replica-gone-after': duration({summary: 'A replica silent this long counts as gone.', env: 'CLAWD_REPLICA_GONE_AFTER', hidden: true}),
  'allow-private-egress': Flags.boolean({
    summary: 'Let keys’ base URLs point at link-local and cloud metadata addresses.',
    env: 'CLAWD_ALLOW_PRIVATE_EGRESS',
    default: false,
  }),
}

/** `server start`'s parsed flags. */
type ServerStartOptions = Omit<Interfaces.InferredFlags<typeof serverStartFlags>, 'json'>

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
  // The files themselves are read and checked by `server start` (loadTlsFiles), not here.
  if (options['tls-cert'] && options['tls-key']) config.tls = {certFile: options['tls-cert'], keyFile: options['tls-key']}
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
