import type {FastifyError, FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import {ResponseSerializationError} from 'fastify-type-provider-zod'
import {PROBLEM_CONTENT_TYPE, type Problem} from '../contract/problem.js'
import {browserSessionRejected} from './auth/browser-auth.js'
import {isCsrfRefusal} from './auth/csrf.js'
import {ApiError} from './errors.js'
import {isStoreUnavailable, isUnstorableText} from './store/errors.js'

export function sendProblem(reply: FastifyReply, err: ApiError): FastifyReply {
  const body: Problem = {
    type: `https://clawd.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    code: err.code,
    ...(err.extra.detail ? {detail: err.extra.detail} : {}),
    ...(err.extra.hint ? {hint: err.extra.hint} : {}),
    ...(err.extra.retry_at ? {retry_at: err.extra.retry_at} : {}),
  }
  for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v)
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/** Maps Fastify's own errors (bad JSON, too large, wrong content type) to our stable codes. */
function fromFastify(err: FastifyError): ApiError | undefined {
  // @fastify/csrf-protection's refusal of a console script's x-clawd-csrf header (browser-auth.ts).
  if (isCsrfRefusal(err)) return browserSessionRejected()
  const badJson = err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
  if (badJson || (err.statusCode === 400 && /JSON/i.test(err.message))) return ApiError.badRequest('The request body is not valid JSON.', 'Send a well-formed JSON object.')
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', 'Payload too large', {
        detail: 'The request body is larger than the server accepts.',
        hint: 'Send a smaller body.',
      })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'bad_request', 'Unsupported media type', {
        detail: 'The content type is not supported.',
        hint: 'Send application/json.',
      })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ApiError.badRequest('The Content-Length does not match the body.')
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new ApiError(err.statusCode, 'bad_request', 'Bad request', {detail: 'The request could not be processed.'})
  }
  return undefined
}

/**
 * Fastify's refusals before a route is found — a path whose percent-escapes do not decode, a path
 * parameter past the router's length limit — as problems too (Fastify's `frameworkErrors` option),
 * so every error on the port reads the same to the CLI and to scripts.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(reply, new ApiError(414, 'bad_request', 'URI too long', {detail: 'A part of the path is longer than any name or id.'}))
    return
  }
  void sendProblem(reply, ApiError.badRequest('The URL is not valid: a percent-escape in the path does not decode.', 'Encode the path with encodeURIComponent.'))
}

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof ApiError ? err : fromFastify(err)
    if (known) return sendProblem(reply, known)
    if (isUnstorableText(err)) {
      // A backstop: contracts refuse NUL where they know text is stored, but a field that slips
      // through is the client's input, not a server bug.
      return sendProblem(reply, ApiError.badRequest('The request holds a character that cannot be stored (a NUL byte).', 'Remove NUL characters from the text.'))
    }
    if (isStoreUnavailable(err)) {
      req.log.warn({err: {type: err.name, code: err.code, message: err.message}}, 'store unavailable')
      return sendProblem(reply, new ApiError(503, 'unavailable', 'Service unavailable', {
        detail: 'The service cannot reach its database right now.',
        hint: 'Try again in a moment.',
        headers: {'retry-after': '2'},
      }))
    }
    // An answer that breaks its contract (src/server/serve.ts): where, by field path, never the value.
    const broken = err instanceof ResponseSerializationError ? err.cause.issues.map((i) => `${i.path.join('.')}: ${i.message}`) : undefined
    req.log.error({err: {type: err.name, message: err.message, stack: err.stack}, ...(broken && {broken})}, 'unhandled error')
    return sendProblem(reply, new ApiError(500, 'internal', 'Internal error', {detail: 'Something went wrong on the server.', hint: 'Try again; if it persists, tell the operator.'}))
  })
  app.setNotFoundHandler((_req, reply) => sendProblem(reply, ApiError.notFound('route')))
}
