import type {ErrorCode} from '../../contract/problem.js'

/** The exit-code table from DESIGN §3. Scripts depend on these numbers: never renumber. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  quota: 6,
  unavailable: 7,
  interrupted: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

const byCode: Record<ErrorCode, ExitCodeValue> = {
  bad_request: ExitCode.usage,
  validation_failed: ExitCode.usage,
  payload_too_large: ExitCode.usage,
  unauthenticated: ExitCode.auth,
  token_expired: ExitCode.auth,
  forbidden: ExitCode.auth,
  plan_forbids_tools: ExitCode.auth,
  not_found: ExitCode.notFound,
  conflict: ExitCode.conflict,
  already_exists: ExitCode.conflict,
  wrong_state: ExitCode.conflict,
  quota_exceeded: ExitCode.quota,
  rate_limited: ExitCode.quota,
  unavailable: ExitCode.unavailable,
  internal: ExitCode.unexpected,
}

export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  return byCode[code]
}
