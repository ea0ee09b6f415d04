import {parseDuration} from '../duration.js'

/**
 * Everything the server can be told, in one place. `server start` builds it from flags and env;
 * tests build it directly with short timeouts. Durations are milliseconds.
 */
export interface ServerConfig {
  host: string
  port: number
  dataDir: string
  /** PostgreSQL URL; the embedded PostgreSQL under dataDir when absent. */
  databaseUrl?: string
  databaseSchema?: string
  /** The URL users reach the API at (issuer, verification URI). Defaults to the listen address. */
  publicUrl?: string
  logLevel: string
  bodyLimitBytes: number
  drainTimeoutMs: number
  trustProxy: boolean
  auth: {
    accessTokenTtlMs: number
    refreshTokenTtlMs: number
    deviceCodeTtlMs: number
    devicePollIntervalSec: number
  }
  instances: {
    idleTimeoutMs: number
    retentionMs: number
    sweepIntervalMs: number
    maxPerUser: number
    maxRunningPerUser: number
    memoryLimitMb: number
    /** 'auto' uses bwrap when it works on this host; 'none' never does. */
    sandbox: 'auto' | 'bwrap' | 'none'
  }
  /** Hosts (host or host:port) instances may reach through the egress proxy. */
  egressAllow: string[]
  /** Provider base URLs, server-wide; a key can override its own. */
  providerBaseUrls: Record<string, string>
  /** Plans by name (`free`, `dedicated`): their quotas, and whether the agent may run tools. */
  plans: Record<string, PlanLimits>
  agent: {
    /** How long an answer keeps generating with no reader, waiting for the client to resume. */
    streamGraceMs: number
    /** Slows the offline dev provider (demos, interrupt tests). */
    devDeltaDelayMs: number
    /** Bounds on one answer's tool loop (dedicated plan): model calls, wall time, approval wait. */
    toolMaxSteps: number
    toolMaxMs: number
    toolApprovalTimeoutMs: number
  }
  logRetentionMs: number
  /** Request rate limits on /v1, per token and per client IP; `null` turns one off. */
  rateLimits: {perToken: RequestRate | null; perIp: RequestRate | null}
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: {certFile: string; keyFile: string}
  /** Let keys' base URLs point at link-local and cloud metadata addresses (refused by default). */
  allowPrivateEgress: boolean
  /** Several API processes on one PostgreSQL (src/server/replicas). */
  replicas: {
    /** Port of the internal listener other replicas forward instance traffic to; none when absent. */
    internalPort?: number
    /** Address the internal listener binds (defaults to `host`). */
    internalHost?: string
    /** The URL other replicas dial, when it differs from the bound address (NAT, containers). */
    internalUrl?: string
    /** A replica whose heartbeat is older than this counts as gone. */
    goneAfterMs: number
    /** Drain this replica's instances to the others on SIGTERM. */
    drainOnExit: boolean
  }
}

export interface PlanLimits {
  messagesPerDay: number
  concurrentStreams: number
  /** Tools at all; which ones is each instance's tool policy. */
  tools: boolean
}

/** `requests` per `windowMs`, as a token bucket: the whole window's worth may come in a burst. */
export interface RequestRate {
  requests: number
  windowMs: number
}

export const DEFAULT_PORT = 7420

export function defaultConfig(dataDir: string): ServerConfig {
  return {
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    dataDir,
    logLevel: 'info',
    bodyLimitBytes: 1024 * 1024,
    drainTimeoutMs: 10_000,
    trustProxy: false,
    auth: {
      accessTokenTtlMs: parseDuration('1h'),
      refreshTokenTtlMs: parseDuration('30d'),
      deviceCodeTtlMs: parseDuration('10m'),
      devicePollIntervalSec: 5,
    },
    instances: {
      idleTimeoutMs: parseDuration('30m'),
      retentionMs: parseDuration('30d'),
      sweepIntervalMs: parseDuration('30s'),
      maxPerUser: 3,
      maxRunningPerUser: 2,
      memoryLimitMb: 256,
      sandbox: 'auto',
    },
    egressAllow: ['api.anthropic.com:443', 'api.openai.com:443'],
    providerBaseUrls: {
      anthropic: 'https://api.anthropic.com',
      openai: 'https://api.openai.com/v1',
    },
    plans: {
      free: {messagesPerDay: 50, concurrentStreams: 2, tools: false},
      dedicated: {messagesPerDay: 2000, concurrentStreams: 4, tools: true},
    },
    agent: {streamGraceMs: 10_000, devDeltaDelayMs: 0, toolMaxSteps: 16, toolMaxMs: 5 * 60_000, toolApprovalTimeoutMs: 2 * 60_000},
    logRetentionMs: parseDuration('30d'),
    rateLimits: {perToken: {requests: 1200, windowMs: 60_000}, perIp: {requests: 6000, windowMs: 60_000}},
    allowPrivateEgress: false,
    replicas: {goneAfterMs: 15_000, drainOnExit: false},
  }
}

/** `600/1m`, `10/s`, or `off`, as `server start --rate-limit-*` takes it. */
export function parseRequestRate(text: string): RequestRate | null {
  const value = text.trim().toLowerCase()
  if (value === 'off' || value === '0') return null
  const m = /^(\d+)\s*\/\s*(\d*(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value)
  if (!m) throw new Error(`invalid rate "${text}": use REQUESTS/WINDOW such as 600/1m or 10/s, or "off"`)
  const requests = Number(m[1])
  const factor = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[m[3] as 'ms']
  const windowMs = Math.round((m[2] === '' ? 1 : Number(m[2])) * factor)
  if (requests < 1 || windowMs < 1000) throw new Error(`invalid rate "${text}": at least 1 request per window of 1 s or more`)
  // Idle buckets are pruned after a day, which must not be before they would have refilled.
  if (windowMs > 86_400_000) throw new Error(`invalid rate "${text}": the window can be at most 1d`)
  return {requests, windowMs}
}
