import type {FastifyInstance} from 'fastify'

/** Form posts (OAuth requests, HTML forms) are small; anything bigger is not one of ours. */
export const FORM_BODY_LIMIT = 16 * 1024

class DuplicateParameterError extends Error {
  readonly statusCode = 400
  readonly code = 'CLAWD_DUPLICATE_FORM_PARAMETER'
  constructor(name: string) {
    super(`The parameter "${name}" appears more than once.`)
  }
}

/**
 * Parses application/x-www-form-urlencoded into a flat object, in the scope it is registered in.
 * RFC 6749 §3.1: a parameter must not repeat, so a repeat is an error rather than a silent pick.
 */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', {parseAs: 'string', bodyLimit: FORM_BODY_LIMIT}, (_req, body, done) => {
    const seen = new Set<string>()
    const entries: Array<[string, string]> = []
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (seen.has(name)) return done(new DuplicateParameterError(name), undefined)
      seen.add(name)
      entries.push([name, value])
    }
    // fromEntries defines own properties, so a "__proto__" field cannot reach the prototype.
    done(null, Object.fromEntries(entries))
  })
}
