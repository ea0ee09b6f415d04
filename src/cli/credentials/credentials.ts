import type {CliConfig} from '../kit/config.js'
import {type Credential, type CredentialStore, type ResolvedCredential} from './credential.js'
import {FileCredentialStore} from './file-store.js'
import {type KeyringBackend, KeyringCredentialStore, KeyringTimeoutError, loadNativeKeyring} from './keyring-store.js'

export const KEYRING_TIMEOUT_MS = 3000

/**
 * Why the keyring is not used, or undefined when it may be tried. On Linux the keyring is the
 * Secret Service on the session D-Bus: without one, trying it only fails (or hangs), so we don't.
 */
export function keyringUnavailableReason(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (env.CLAWD_NO_KEYRING === '1') return 'CLAWD_NO_KEYRING=1 is set'
  if (platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) return 'no D-Bus session, so no Secret Service'
  return undefined
}

export interface CredentialsOptions {
  configDir: string
  config: CliConfig
  env: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  /** Loads the OS keyring; tests hand in their own. */
  loadKeyring?: () => Promise<KeyringBackend>
  timeoutMs?: number
  /** Prints a warning line to stderr. */
  warn: (line: string) => void
}

/**
 * The credential store the CLI uses: the OS keyring when it works, else a 0600 file with one
 * warning (remembered in config.json, so it is not repeated on every command). Reads look in both,
 * because a credential written while the keyring was unavailable stays in the file.
 */
export class Credentials {
  readonly file: FileCredentialStore
  private keyring: CredentialStore | undefined
  private keyringProblem: string | undefined
  /** A keyring call timed out: its native work may still hold the process open. */
  stalled = false

  constructor(private readonly opts: CredentialsOptions) {
    this.file = new FileCredentialStore(opts.configDir)
    this.keyringProblem = keyringUnavailableReason(opts.env, opts.platform ?? process.platform)
  }

  async get(api: string): Promise<ResolvedCredential | undefined> {
    const fromKeyring = await this.tryKeyring((k) => k.get(api))
    if (fromKeyring) return {credential: fromKeyring, source: 'keyring'}
    const fromFile = await this.file.get(api)
    return fromFile ? {credential: fromFile, source: 'file'} : undefined
  }

  /** Stores the credential and says where it went. */
  async set(credential: Credential): Promise<'keyring' | 'file'> {
    const stored = await this.tryKeyring(async (k) => {
      await k.set(credential)
      return true
    })
    if (stored) {
      // An older copy in the file would otherwise outlive this login.
      await this.file.delete(credential.api)
      return 'keyring'
    }
    await this.file.set(credential)
    this.warnFileStoreOnce()
    return 'file'
  }

  async delete(api: string): Promise<boolean> {
    const fromKeyring = await this.tryKeyring((k) => k.delete(api))
    const fromFile = await this.file.delete(api)
    return Boolean(fromKeyring) || fromFile
  }

  /** Runs a keyring call; undefined when the keyring is unavailable or fails (then never tried again). */
  private async tryKeyring<T>(call: (keyring: CredentialStore) => Promise<T>): Promise<T | undefined> {
    if (this.keyringProblem) return undefined
    try {
      this.keyring ??= new KeyringCredentialStore(await (this.opts.loadKeyring ?? loadNativeKeyring)(), this.opts.timeoutMs ?? KEYRING_TIMEOUT_MS)
      return await call(this.keyring)
    } catch (error) {
      if (error instanceof KeyringTimeoutError) this.stalled = true
      this.keyringProblem = error instanceof Error ? error.message : String(error)
      return undefined
    }
  }

  private warnFileStoreOnce(): void {
    const settings = this.opts.config.read()
    if (settings.fileStoreWarned) return
    this.opts.warn(
      `Warning: the OS keyring is not available (${this.keyringProblem}); credentials are stored in ${this.file.path}, readable only by you.`,
    )
    this.opts.config.update({fileStoreWarned: true})
  }
}
