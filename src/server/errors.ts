import type {ErrorCode} from '../contract/problem.js'

/**
 * An error a route throws on purpose. The error handler turns it into RFC 9457 problem+json with
 * a stable `code`; `detail` and `hint` are shown to users, so they never contain a secret.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    readonly extra: {detail?: string; hint?: string; retry_at?: string; headers?: Record<string, string>} = {},
  ) {
    super(extra.detail ?? title)
    this.name = 'ApiError'
  }

  static badRequest(detail: string, hint?: string) {
    return new ApiError(400, 'bad_request', 'Bad request', {detail, hint})
  }
  static validation(detail: string, hint = 'Check the request against the API contract.') {
    return new ApiError(400, 'validation_failed', 'Validation failed', {detail, hint})
  }
  static unauthenticated(detail = 'Missing or invalid credentials.', hint = 'Log in again with `clawd login`.') {
    return new ApiError(401, 'unauthenticated', 'Unauthenticated', {detail, hint})
  }
  /** Existence is never leaked: another user's resource is "not found", never "forbidden". */
  static notFound(what = 'resource', hint?: string) {
    return new ApiError(404, 'not_found', 'Not found', {detail: `No such ${what}.`, hint})
  }
  static conflict(detail: string, hint?: string, code: ErrorCode = 'conflict') {
    return new ApiError(409, code, 'Conflict', {detail, hint})
  }
  static forbidden(detail: string, hint?: string) {
    return new ApiError(403, 'forbidden', 'Forbidden', {detail, hint})
  }
  static quota(detail: string, hint: string, retryAt?: Date) {
    return new ApiError(429, 'quota_exceeded', 'Quota exceeded', {detail, hint, retry_at: retryAt?.toISOString()})
  }
  static unavailable(detail: string, hint?: string) {
    return new ApiError(503, 'unavailable', 'Service unavailable', {detail, hint})
  }
}
