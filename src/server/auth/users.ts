import type {z} from 'zod'
import type {adminUserSchema} from '../../contract/auth.js'
import {decoyPasswordHash, hashPassword, verifyPassword} from '../../crypto/password.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {newId} from './ids.js'

export type UserRecord = z.infer<typeof adminUserSchema>

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 1024

const iso = (v: Date | string) => new Date(v).toISOString()

/**
 * Creates an account. Runs as the system: no user exists yet to act as. The email is unique
 * case-insensitively (users_email_key), which also settles two concurrent sign-ups.
 */
export async function createUser(ctx: ServerContext, email: string, password: string): Promise<UserRecord> {
  if (password.length < MIN_PASSWORD_LENGTH) throw ApiError.validation(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`)
  if (password.length > MAX_PASSWORD_LENGTH) throw ApiError.validation(`The password must have at most ${MAX_PASSWORD_LENGTH} characters.`)
  const passwordHash = await hashPassword(password)
  const id = newId('usr')
  const rows = await ctx.db.asSystem((q) =>
    q.query<{id: string; email: string; created_at: Date}>(
      `INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id, email, created_at`,
      [id, email.trim(), passwordHash, new Date(ctx.clock.now())],
    ),
  )
  const row = rows[0]
  if (!row) throw ApiError.conflict('An account with this email already exists.', 'Sign in instead, or use another email.', 'already_exists')
  return {id: row.id, email: row.email, created_at: iso(row.created_at)}
}

export async function findUserByEmail(ctx: ServerContext, email: string): Promise<UserRecord | null> {
  const [row] = await ctx.db.asSystem((q) =>
    q.query<{id: string; email: string; created_at: Date}>(`SELECT id, email, created_at FROM users WHERE lower(email) = lower($1)`, [email.trim()]),
  )
  return row ? {id: row.id, email: row.email, created_at: iso(row.created_at)} : null
}

/**
 * The user id for a correct email and password, else null. An unknown email still costs one
 * scrypt, so timing does not tell which emails have accounts.
 */
export async function checkCredentials(ctx: ServerContext, email: string, password: string): Promise<string | null> {
  const [row] = await ctx.db.asSystem((q) =>
    q.query<{id: string; password_hash: string}>(`SELECT id, password_hash FROM users WHERE lower(email) = lower($1)`, [email.trim()]),
  )
  const ok = await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), row?.password_hash ?? (await decoyPasswordHash()))
  return ok && row ? row.id : null
}
