import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {clientIdSchema, DEVICE_GRANT_TYPE, deviceAuthorizationRequestSchema, oauthPaths, type TokenResponse} from '../../contract/auth.js'
import {api} from '../../contract/routes/index.js'
import {createDeviceGrant, pollDeviceGrant} from '../auth/device-grants.js'
import {registerFormParser} from '../auth/form-body.js'
import {deviceAuthorizationLimits} from '../auth/limits.js'
import {OAuthHttpError} from '../auth/oauth-error.js'
import {revokeToken, rotateRefreshToken} from '../auth/refresh.js'
import type {TokenPair} from '../auth/token-store.js'
import type {ServerContext} from '../context.js'
import {takeTokens} from '../ratelimit/bucket.js'
import {serveRoutes} from '../serve.js'

/** The issuer: the configured public URL, else where this request came in. No trailing slash. */
export function issuerUrl(ctx: ServerContext, req: FastifyRequest): string {
  return (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '')
}

function params(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthHttpError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.')
  }
  return body as Record<string, unknown>
}

function requireParam(p: Record<string, unknown>, name: string): string {
  const v = p[name]
  if (typeof v !== 'string' || v === '') throw new OAuthHttpError('invalid_request', `The "${name}" parameter is required.`)
  if (v.length > 200) throw new OAuthHttpError('invalid_request', `The "${name}" parameter is too long.`)
  return v
}

function clientId(p: Record<string, unknown>, required: boolean): string | undefined {
  if (p.client_id === undefined && !required) return undefined
  const id = requireParam(p, 'client_id')
  if (!clientIdSchema.safeParse(id).success) throw new OAuthHttpError('invalid_client', 'The client_id is not valid.')
  return id
}

function sendTokens(reply: FastifyReply, pair: TokenPair): TokenResponse {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
  return {access_token: pair.accessToken, token_type: 'Bearer', expires_in: pair.expiresIn, refresh_token: pair.refreshToken}
}

function oauthErrorHandler(err: FastifyError | OAuthHttpError, req: FastifyRequest, reply: FastifyReply) {
  let out: OAuthHttpError
  if (err instanceof OAuthHttpError) out = err
  else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') out = new OAuthHttpError('invalid_request', 'The request body is too large.')
  else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') out = new OAuthHttpError('invalid_request', 'Send application/x-www-form-urlencoded.')
  else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) out = new OAuthHttpError('invalid_request', err.code === 'CLAWD_DUPLICATE_FORM_PARAMETER' ? err.message : 'The request could not be parsed.')
  else {
    req.log.error({err: {type: err.name, message: err.message, stack: err.stack}}, 'oauth endpoint failed')
    out = new OAuthHttpError('server_error', 'Something went wrong on the server; try again.')
  }
  if (out.retryAfterSec !== undefined) reply.header('retry-after', String(out.retryAfterSec))
  return reply.code(out.status).header('cache-control', 'no-store').type('application/json').send(out.body())
}

/**
 * OAuth 2.0 for the CLI and any standard client: RFC 8414 metadata, RFC 8628 device
 * authorization, the token endpoint (device_code and rotating refresh_token grants) and RFC 7009
 * revocation. Requests are form-encoded; errors are RFC 6749 `{error, error_description}`.
 */
export async function oauthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  serveRoutes(app)(api.oauth.metadata, async (req, reply) => {
    const issuer = issuerUrl(ctx, req)
    reply.header('cache-control', 'public, max-age=300')
    return {
      issuer,
      device_authorization_endpoint: issuer + oauthPaths.deviceAuthorization,
      token_endpoint: issuer + oauthPaths.token,
      revocation_endpoint: issuer + oauthPaths.revocation,
      grant_types_supported: [DEVICE_GRANT_TYPE, 'refresh_token'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
    }
  })

  await app.register(async (scope) => {
    await registerFormParser(scope)
    scope.setErrorHandler(oauthErrorHandler)
    const serve = serveRoutes(scope)

    serve(api.oauth.deviceAuthorization, async (req, reply) => {
      const p = params(req.body)
      const id = clientId(p, true)!
      const parsed = deviceAuthorizationRequestSchema.safeParse({client_id: id, scope: p.scope})
      if (!parsed.success) throw new OAuthHttpError('invalid_request', 'The scope parameter is not valid.')
      const limit = await takeTokens(ctx.db, deviceAuthorizationLimits(req.ip))
      if (!limit.allowed) {
        throw new OAuthHttpError('slow_down', `Too many sign-in requests from this address; try again in ${limit.retryAfterSec} seconds.`, {
          status: 429,
          retryAfterSec: limit.retryAfterSec,
        })
      }
      const grant = await createDeviceGrant(ctx, {
        clientId: id,
        scope: parsed.data.scope,
        clientIp: req.ip ?? null,
        userAgent: req.headers['user-agent'] ?? null,
      })
      const verification = issuerUrl(ctx, req) + oauthPaths.device
      reply.header('cache-control', 'no-store')
      return {
        device_code: grant.deviceCode,
        user_code: grant.userCode,
        verification_uri: verification,
        verification_uri_complete: `${verification}?user_code=${encodeURIComponent(grant.userCode)}`,
        expires_in: grant.expiresIn,
        interval: grant.interval,
      }
    })

    serve(api.oauth.token, async (req, reply) => {
      const p = params(req.body)
      const grantType = requireParam(p, 'grant_type')
      let outcome: TokenPair | OAuthHttpError
      if (grantType === DEVICE_GRANT_TYPE) outcome = await pollDeviceGrant(ctx, requireParam(p, 'device_code'), clientId(p, true)!)
      else if (grantType === 'refresh_token') outcome = await rotateRefreshToken(ctx, requireParam(p, 'refresh_token'), clientId(p, false))
      else throw new OAuthHttpError('unsupported_grant_type', `This server supports the ${DEVICE_GRANT_TYPE} and refresh_token grants.`)
      if (outcome instanceof OAuthHttpError) throw outcome
      return sendTokens(reply, outcome)
    })

    serve(api.oauth.revoke, async (req, reply) => {
      const p = params(req.body)
      // token_type_hint is ignored: RFC 7009 §2.1 lets the server search every kind anyway.
      await revokeToken(ctx, requireParam(p, 'token'))
      return reply.code(200).header('cache-control', 'no-store').send()
    })
  })
}
