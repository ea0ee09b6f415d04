import {hashToken, randomChars} from '../../crypto/tokens.js'
import type {ServerContext} from '../context.js'
import {ApiError} from '../errors.js'
import type {Queryable} from '../store/db.js'

/**
 * Invite codes: an operator makes one (`clawd server invites create`), a person enters it on the
 * sign-up page and their new account gets the invite's plan. Like tokens, the code is shown once
 * and only its peppered HMAC is stored. Codes are typed by people, so they use an alphabet with no
 * look-alike characters, in dash-separated groups; 20 characters of 32 carry 100 bits.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const GROUPS = 4
const GROUP_LENGTH = 5
const PREFIX = 'INV'
const CODE_BODY = new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`)

export function generateInviteCode(): string {
  const body = randomChars(GROUPS * GROUP_LENGTH, ALPHABET)
  const groups = Array.from({length: GROUPS}, (_, i) => body.slice(i * GROUP_LENGTH, (i + 1) * GROUP_LENGTH))
  return [PREFIX, ...groups].join('-')
}

/**
 * The code as typed, reduced to its random characters (case, spaces, dashes and the INV prefix do
 * not matter), or null when it cannot be a code at all.
 */
export function normalizeInviteCode(typed: string): string | null {
  let body = typed.toUpperCase().replace(/[\s-]/g, '')
  if (body.startsWith(PREFIX) && body.length === PREFIX.length + GROUPS * GROUP_LENGTH) body = body.slice(PREFIX.length)
  return CODE_BODY.test(body) ? body : null
}

/** What the store keeps: HMAC-SHA256 under the token pepper, domain-separated from tokens. */
export function inviteCodeHash(pepper: Buffer, normalized: string): string {
  return hashToken(pepper, 'clawd/invite/v1\0' + normalized)
}

export interface InviteRow {
  id: string
  plan: string
  max_uses: number
  uses: number
  created_at: Date
  expires_at: Date
}

const COLUMNS = 'id, plan, max_uses, uses, created_at, expires_at'

export async function insertInvite(
  ctx: ServerContext,
  opts: {plan: string; maxUses: number; ttlMs: number},
): Promise<{row: InviteRow; code: string}> {
  const code = generateInviteCode()
  const now = ctx.clock.now()
  const [row] = await ctx.db.asSystem((q) =>
    q.query<InviteRow>(
      `INSERT INTO invites (id, code_hash, plan, max_uses, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [`inv_${randomChars(20)}`, inviteCodeHash(ctx.secrets.tokenPepper, normalizeInviteCode(code)!), opts.plan, opts.maxUses, new Date(now), new Date(now + opts.ttlMs)],
    ),
  )
  return {row: row!, code}
}

export async function listInvites(ctx: ServerContext): Promise<InviteRow[]> {
  return ctx.db.asSystem((q) => q.query<InviteRow>(`SELECT ${COLUMNS} FROM invites ORDER BY created_at DESC, id`))
}

/** Why a code was refused, in words for the sign-up page (the code itself is never echoed). */
export const INVITE_REFUSALS = {
  invalid: 'This invite code is not valid. Check it and try again, or leave it empty to sign up on the free plan.',
  expired: 'This invite code has expired. Ask the person who gave it to you for a new one.',
  used: 'This invite code has already been used. Ask the person who gave it to you for a new one.',
} as const

export class InviteRefused extends ApiError {
  constructor(readonly reason: keyof typeof INVITE_REFUSALS) {
    super(400, 'validation_failed', 'Invite code refused', {detail: INVITE_REFUSALS[reason]})
  }
}

/**
 * Takes one use of the code inside the caller's transaction (the sign-up's, so a sign-up that
 * fails afterwards gives the use back) and returns the invite's plan. One conditional UPDATE, so
 * concurrent sign-ups never take more uses than the code has.
 */
export async function redeemInvite(q: Queryable, ctx: ServerContext, typed: string): Promise<string> {
  const normalized = normalizeInviteCode(typed)
  if (!normalized) throw new InviteRefused('invalid')
  const hash = inviteCodeHash(ctx.secrets.tokenPepper, normalized)
  const now = new Date(ctx.clock.now())
  const [taken] = await q.query<{plan: string}>(
    `UPDATE invites SET uses = uses + 1, last_used_at = $2
      WHERE code_hash = $1 AND uses < max_uses AND expires_at > $2
      RETURNING plan`,
    [hash, now],
  )
  if (taken) return taken.plan
  const [found] = await q.query<{uses: number; max_uses: number}>(`SELECT uses, max_uses FROM invites WHERE code_hash = $1`, [hash])
  if (!found) throw new InviteRefused('invalid')
  throw new InviteRefused(found.uses >= found.max_uses ? 'used' : 'expired')
}
