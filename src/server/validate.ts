import type {z} from 'zod'
import {ApiError} from './errors.js'

/**
 * Parses a request part against its contract schema. The message names the offending field but
 * never echoes its value, since values may be secrets.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : where
  const reason =
    issue?.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
      : (issue?.message ?? 'invalid')
  throw ApiError.validation(`Invalid ${where}: ${path}: ${reason}.`)
}
