import {parseJson} from '../kit/http/errors.js'
import {type Credential, credentialSchema, type CredentialStore} from './credential.js'

/** The OS keyring calls we use; every call takes a signal so a stuck keyring can be abandoned. */
export interface KeyringBackend {
  get(service: string, account: string, signal: AbortSignal): Promise<string | null>
  set(service: string, account: string, secret: string, signal: AbortSignal): Promise<void>
  delete(service: string, account: string, signal: AbortSignal): Promise<boolean>
}

/**
 * The real OS keyring (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
 * @napi-rs/keyring. Its `AsyncEntry` is used rather than the keytar-style functions because only
 * it takes an AbortSignal. Loaded lazily: the native module is not needed by most commands.
 */
export async function loadNativeKeyring(): Promise<KeyringBackend> {
  const {AsyncEntry} = await import('@napi-rs/keyring')
  return {
    get: (service, account, signal) => new AsyncEntry(service, account).getPassword(signal),
    set: (service, account, secret, signal) => new AsyncEntry(service, account).setPassword(secret, signal),
    delete: (service, account, signal) => new AsyncEntry(service, account).deletePassword(signal),
  }
}

export class KeyringTimeoutError extends Error {
  constructor(ms: number) {
    super(`the OS keyring did not answer within ${ms} ms`)
    this.name = 'KeyringTimeoutError'
  }
}

/** A locked or half-configured keyring can block forever; nothing waits on it longer than this. */
export async function withTimeout<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Reject first: the aborted call's own rejection must not win the race.
      reject(new KeyringTimeoutError(ms))
      controller.abort()
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([call(controller.signal), timedOut])
  } finally {
    clearTimeout(timer)
  }
}

export const KEYRING_SERVICE = 'clawd'

/** One keyring entry per API URL, holding the credential as JSON. */
export class KeyringCredentialStore implements CredentialStore {
  constructor(
    private readonly backend: KeyringBackend,
    private readonly timeoutMs: number,
  ) {}

  async get(api: string): Promise<Credential | undefined> {
    const text = await withTimeout(this.timeoutMs, (signal) => this.backend.get(KEYRING_SERVICE, api, signal))
    if (!text) return undefined
    const parsed = credentialSchema.safeParse(parseJson(text))
    return parsed.success ? parsed.data : undefined
  }

  async set(credential: Credential): Promise<void> {
    await withTimeout(this.timeoutMs, (signal) => this.backend.set(KEYRING_SERVICE, credential.api, JSON.stringify(credential), signal))
  }

  async delete(api: string): Promise<boolean> {
    return withTimeout(this.timeoutMs, (signal) => this.backend.delete(KEYRING_SERVICE, api, signal))
  }
}
