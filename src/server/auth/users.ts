import type {z} from 'zod'
import type {adminUserSchema} from '../../contract/auth.js'
import {decoyPasswordHash, hashPassword, verifyPassword} from '../../crypto/password.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import {newId} from './ids.js'
import {redeemInvite} from './invites.js'
import {iso} from '../iso.js'

export type UserRecord = z.infer<typeof adminUserSchema>

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 1024

type UserRow = {id: string; email: string; plan: string; created_at: Date}
const record = (row: UserRow): UserRecord => ({id: row.id, email: row.email, plan: row.plan, created_at: iso(row.created_at)})

/**
 * Creates an account on `plan` (an operator's choice), or on an invite's plan (the sign-up page),
 * else on free. Runs as the system: no user exists yet to act as. The email is unique
 * case-insensitively (users_email_key), which also settles two concurrent sign-ups. The invite's
 * use is taken in the same transaction, so a sign-up that fails uses nothing up.
 */
export async function createUser(ctx: ServerContext, email: string, password: string, opts: {plan?: string; invite?: string} = {}): Promise<UserRecord> {
  if (password.length < MIN_PASSWORD_LENGTH) throw ApiError.validation(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`)
  if (password.length > MAX_PASSWORD_LENGTH) throw ApiError.validation(`The password must have at most ${MAX_PASSWORD_LENGTH} characters.`)
  const passwordHash = await hashPassword(password)
  const id = newId('usr')
  const row = await ctx.db.asSystem(async (q) => {
    const plan = opts.invite ? await redeemInvite(q, ctx, opts.invite) : (opts.plan ?? 'free')
    const [inserted] = await q.query<UserRow>(
      `INSERT INTO users (id, email, password_hash, plan, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id, email, plan, created_at`,
      [id, email.trim(), passwordHash, plan, new Date(ctx.clock.now())],
    )
    // Thrown inside the transaction: it rolls back the invite's use too.
    if (!inserted) throw ApiError.conflict('An account with this email already exists.', 'Sign in instead, or use another email.', 'already_exists')
    return inserted
  })
  return record(row)
}

export async function findUserByEmail(ctx: ServerContext, email: string): Promise<UserRecord | null> {
  const [row] = await ctx.db.asSystem((q) => q.query<UserRow>(`SELECT id, email, plan, created_at FROM users WHERE lower(email) = lower($1)`, [email.trim()]))
  return row ? record(row) : null
}

/** Moves an account to another plan (operators only); returns it with the plan it had. */
export async function setUserPlan(ctx: ServerContext, email: string, plan: string): Promise<(UserRecord & {previous_plan: string}) | null> {
  const [row] = await ctx.db.asSystem((q) =>
    q.query<UserRow & {previous_plan: string}>(
      `UPDATE users u SET plan = $2 FROM (SELECT id, plan AS previous_plan FROM users WHERE lower(email) = lower($1) FOR UPDATE) old
        WHERE u.id = old.id RETURNING u.id, u.email, u.plan, u.created_at, old.previous_plan`,
      [email.trim(), plan],
    ),
  )
  return row ? {...record(row), previous_plan: row.previous_plan} : null
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
