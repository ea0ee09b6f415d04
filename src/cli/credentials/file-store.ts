import {chmodSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {z} from 'zod'
import {readJsonFile, writePrivateJson} from '../kit/config.js'
import {type Credential, credentialSchema, type CredentialStore} from './credential.js'

const fileSchema = z.object({
  version: z.literal(1),
  credentials: z.record(z.string(), credentialSchema),
})
type CredentialsFile = z.infer<typeof fileSchema>

/**
 * Credentials in `credentials.json` (0600) inside the config dir (0700): the fallback when no OS
 * keyring can be used. Every write replaces the file atomically.
 */
export class FileCredentialStore implements CredentialStore {
  readonly path: string

  constructor(dir: string) {
    this.path = join(dir, 'credentials.json')
  }

  async get(api: string): Promise<Credential | undefined> {
    return this.read().credentials[api]
  }

  async set(credential: Credential): Promise<void> {
    const file = this.read()
    file.credentials[credential.api] = credential
    this.write(file)
  }

  async delete(api: string): Promise<boolean> {
    const file = this.read()
    if (!(api in file.credentials)) return false
    delete file.credentials[api]
    this.write(file)
    return true
  }

  private read(): CredentialsFile {
    const invalid = {code: 'bad_credentials_file', message: `The credentials file ${this.path} is not valid.`, hint: 'Delete it and run `clawd login` again.'}
    return readJsonFile(this.path, fileSchema, {version: 1, credentials: {}}, invalid, () => {
      // A copy or a restore may have widened the mode; tokens must stay private to their owner.
      if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600)
    })
  }

  private write(file: CredentialsFile): void {
    writePrivateJson(this.path, file)
  }
}
