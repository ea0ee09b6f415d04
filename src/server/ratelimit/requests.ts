import type {FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler} from 'fastify'
import type {RequestRate} from '../config.js'
import type {ServerContext} from '../context.js'
import {type RateLimit, type RateLimitResult, rateLimited, takeToken} from './bucket.js'

/**
 * Request rate limits on the API (/v1): one bucket per client IP, taken before anything else, and
 * one per token, taken once the token is known. Both live in the database and are taken in one
 * statement each on the database clock (bucket.ts), so several API processes on one PostgreSQL
 * enforce one limit.
 *
 * Every /v1 answer carries the limits in the fields of draft-ietf-httpapi-ratelimit-headers:
 *   RateLimit-Policy: "ip";q=6000;w=60, "token";q=1200;w=60
 *   RateLimit: "ip";r=5999;t=1, "token";r=1199;t=1
 * and a refusal is a 429 problem with Retry-After.
 */
export const IP_POLICY = 'ip'
export const TOKEN_POLICY = 'token'

export function bucketFor(rate: RequestRate, key: string): RateLimit {
  return {key, capacity: rate.requests, refillPerSec: rate.requests / (rate.windowMs / 1000)}
}

/** One policy item: a quoted name, the quota and its window in whole seconds. */
export function policyItem(name: string, rate: RequestRate): string {
  return `"${name}";q=${rate.requests};w=${Math.max(1, Math.round(rate.windowMs / 1000))}`
}

/**
 * One service-limit item: what is left and within how many seconds. A token bucket refills
 * continuously, so `t` is when it will be full again, or when the next request may come if it
 * was refused (and then Retry-After says the same).
 */
export function limitItem(name: string, rate: RequestRate, result: RateLimitResult): string {
  const refillPerSec = rate.requests / (rate.windowMs / 1000)
  const t = result.allowed ? Math.ceil((rate.requests - result.remaining) / refillPerSec) : result.retryAfterSec
  return `"${name}";r=${result.remaining};t=${Math.max(0, t)}`
}

const isApi = (req: FastifyRequest) => req.url === '/v1' || req.url.startsWith('/v1/')

function appendHeader(reply: FastifyReply, name: string, item: string): void {
  const existing = reply.getHeader(name)
  reply.header(name, existing ? `${String(existing)}, ${item}` : item)
}

export function registerRequestRateLimits(app: FastifyInstance, ctx: ServerContext): void {
  const {perIp, perToken} = ctx.config.rateLimits
  if (!perIp && !perToken) return
  const policy = [perIp && policyItem(IP_POLICY, perIp), perToken && policyItem(TOKEN_POLICY, perToken)].filter(Boolean).join(', ')

  /**
   * Takes a token and sets the headers; refuses when the bucket is empty. If the store cannot be
   * reached the request goes on unlimited: the limits protect the store, and a request that needs
   * it fails on its own, while /v1/status can still say the store is down.
   */
  const take = async (req: FastifyRequest, reply: FastifyReply, name: string, rate: RequestRate, key: string, who: string) => {
    let result: RateLimitResult
    try {
      result = await takeToken(ctx.db, bucketFor(rate, key))
    } catch (error) {
      req.log.warn({err: {type: (error as Error).name, message: (error as Error).message}}, 'rate limit check failed; request let through')
      return
    }
    appendHeader(reply, 'ratelimit', limitItem(name, rate, result))
    if (!result.allowed) {
      throw rateLimited(
        result,
        `Too many requests from this ${who}: the limit is ${rate.requests} per ${describeWindow(rate.windowMs)}.`,
        'Slow down, or spread the work over more time.',
      )
    }
  }

  app.addHook('onRequest', async (req, reply) => {
    if (!isApi(req)) return
    reply.header('ratelimit-policy', policy)
    if (perIp) await take(req, reply, IP_POLICY, perIp, `req:ip:${req.ip}`, 'address')
  })

  if (!perToken) return
  const perTokenHook: preHandlerHookHandler = async function (req, reply) {
    if (!req.auth) return
    await take(req, reply, TOKEN_POLICY, perToken, `req:token:${req.auth.tokenId}`, 'token')
  }
  // After each /v1 route's own preHandlers (requireAuth sets req.auth), so the token is known.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]
    route.preHandler = [...own, perTokenHook]
  })
}

function describeWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`
  return ms === 1000 ? 'second' : `${ms / 1000} seconds`
}
