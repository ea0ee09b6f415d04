import fastifyFormbody from '@fastify/formbody'
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
 * Our parser for @fastify/formbody, whose own would turn a repeat into an array: RFC 6749 §3.1
 * says a parameter must not repeat, so a repeat is an error rather than a silent pick.
 */
function parseUniqueForm(body: string): Record<string, string> {
  const seen = new Set<string>()
  const entries: Array<[string, string]> = []
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) throw new DuplicateParameterError(name)
    seen.add(name)
    entries.push([name, value])
  }
  // fromEntries defines own properties, so a "__proto__" field cannot reach the prototype.
  return Object.fromEntries(entries)
}

/** Parses application/x-www-form-urlencoded into a flat object, in the scope it is registered in. */
export async function registerFormParser(app: FastifyInstance): Promise<void> {
  await app.register(fastifyFormbody, {bodyLimit: FORM_BODY_LIMIT, parser: parseUniqueForm})
}
