import {z} from 'zod'

/**
 * What `clawd login` keeps for one API. Stored locally only (keyring or a 0600 file), never sent
 * anywhere but that API. Times are epoch milliseconds.
 */
export const credentialSchema = z.object({
  api: z.string(),
  accessToken: z.string(),
  /** Absent for a token given with `--with-token` or CLAWD_TOKEN: those cannot be refreshed. */
  refreshToken: z.string().optional(),
  /** When the access token expires; absent when it never does. */
  accessExpiresAt: z.number().optional(),
  /** When the access token was issued, to refresh a little before expiry relative to its lifetime. */
  accessIssuedAt: z.number().optional(),
  email: z.string().optional(),
  userId: z.string().optional(),
})
export type Credential = z.infer<typeof credentialSchema>

/** Where a credential came from, as `clawd whoami` reports it. */
export type CredentialSource = 'env' | 'keyring' | 'file'

export interface ResolvedCredential {
  credential: Credential
  source: CredentialSource
}

/** One place that keeps credentials per API URL. */
export interface CredentialStore {
  get(api: string): Promise<Credential | undefined>
  set(credential: Credential): Promise<void>
  /** Resolves true when something was removed. */
  delete(api: string): Promise<boolean>
}
