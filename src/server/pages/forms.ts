import type {FastifyRequest} from 'fastify'

/** A text field from a posted form: '' when absent or not text, cut at `max` characters. */
export function field(req: FastifyRequest, name: string, max = 1024): string {
  const body = req.body
  if (!body || typeof body !== 'object') return ''
  const v = (body as Record<string, unknown>)[name]
  return typeof v === 'string' ? v.slice(0, max) : ''
}

export function queryParam(req: FastifyRequest, name: string, max = 256): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v.slice(0, max) : undefined
}

/**
 * Where to go after signing in. Only the device page (optionally with a code) is allowed, so the
 * parameter cannot become an open redirect.
 */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/device(\?user_code=[A-Za-z-]{1,16})?$/.test(value) ? value : '/device'
}
