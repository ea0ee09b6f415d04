import {z} from 'zod'
import {adminUserSchema, tokenKindSchema} from './auth.js'
import {instanceSchema} from './instances.js'
import {channelSchema} from './channels.js'
import {keyMetadataSchema} from './keys.js'
import {sessionDetailSchema} from './sessions.js'
import {workspaceFileSchema} from './workspace.js'
import {accessLogEntrySchema} from './logs.js'

/** The account as a whole ("your data is yours", DESIGN §1): its export, and deleting it (src/contract/routes/account.ts). */

/** Bumped when a field changes meaning or goes away; new fields do not bump it. */
export const ACCOUNT_EXPORT_VERSION = 1

const iso = z.string()

/** Every credential the account has or had, by metadata only: never the token, never its hash. */
export const exportedTokenSchema = z.object({
  id: z.string(),
  kind: tokenKindSchema,
  name: z.string().nullable(),
  client_id: z.string().nullable(),
  /** Refresh tokens rotate within a family; a reused one revokes the family. */
  family_id: z.string().nullable(),
  created_at: iso,
  expires_at: iso.nullable(),
  revoked_at: iso.nullable(),
  used_at: iso.nullable(),
  last_used_at: iso.nullable(),
})

/** Browser sign-ins on the server's pages, without the session cookie or its hash. */
export const exportedWebSessionSchema = z.object({
  created_at: iso,
  expires_at: iso,
  user_agent: z.string().nullable(),
  client_ip: z.string().nullable(),
})

/** Device logins (`clawd login`) the account approved or denied, without the codes. */
export const exportedDeviceLoginSchema = z.object({
  client_id: z.string(),
  status: z.string(),
  requested_at: iso,
  decided_at: iso.nullable(),
  client_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
})

/** Messages sent per UTC day, as the daily quota counts them. */
export const exportedUsageDaySchema = z.object({day: z.string(), messages: z.number().int().nonnegative()})

export const exportedInstanceSchema = z.object({
  instance: instanceSchema,
  keys: z.array(keyMetadataSchema),
  /** Channel metadata (the bot, the DM policy): never the sealed token or the webhook secret. */
  channels: z.array(channelSchema).default([]),
  /** As stored; null when the instance could not be read (see `unavailable`). */
  workspace: z.array(workspaceFileSchema).nullable(),
  sessions: z.array(sessionDetailSchema).nullable(),
  /** Why the instance's own data (workspace, sessions) is missing: it would not start. */
  unavailable: z.string().nullable(),
})
export type ExportedInstance = z.infer<typeof exportedInstanceSchema>

export const accountExportSchema = z.object({
  version: z.literal(ACCOUNT_EXPORT_VERSION),
  /** The account as the operator's routes show it. */
  account: adminUserSchema,
  tokens: z.array(exportedTokenSchema),
  web_sessions: z.array(exportedWebSessionSchema),
  device_logins: z.array(exportedDeviceLoginSchema),
  access_log: z.array(accessLogEntrySchema),
  daily_usage: z.array(exportedUsageDaySchema),
  instances: z.array(exportedInstanceSchema),
})
export type AccountExport = z.infer<typeof accountExportSchema>

/** The email again, so a stray DELETE (a script with the wrong token) cannot remove an account. */
export const deleteAccountRequestSchema = z.strictObject({confirm_email: z.string().min(1).max(254)})

export const deleteAccountResponseSchema = z.object({
  id: z.string(),
  deleted: z.literal(true),
  instances_deleted: z.number().int().nonnegative(),
  tokens_revoked: z.number().int().nonnegative(),
})
export type DeleteAccountResponse = z.infer<typeof deleteAccountResponseSchema>
