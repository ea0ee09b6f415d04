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
 * Where to go after signing in: the device page (optionally with a code) or a console page, by a
 * strict pattern of our own paths, so the parameter cannot become an open redirect. The default is
 * the dashboard, which says what to do next.
 */
const SAFE_NEXT = /^\/(device(\?user_code=[A-Za-z-]{1,16})?|instances(\/[A-Za-z0-9_-]{1,64}(\/[a-z]{1,16})?)?|account|status)?$/

export function safeNext(value: unknown): string {
  return typeof value === 'string' && SAFE_NEXT.test(value) ? value : '/'
}
