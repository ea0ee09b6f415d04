/**
 * Device user codes are one-time credentials a person types to approve a login: they must not sit
 * in the server's request log (issue 15), whether in `/device?user_code=…` or inside the encoded
 * `next` of a sign-in redirect. Every other part of the URL stays, so the log is still useful.
 */
const USER_CODE_PARAM = /(user_code(?:=|%3D|%3d))[^&#\s]*/gi

export function redactUserCodes(url: string): string {
  return url.replace(USER_CODE_PARAM, '$1[redacted]')
}
