import {chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {z} from 'zod'
import {DEFAULT_PORT} from '../../server/index.js'
import {CliError} from './errors.js'
import {parseJson} from './http/errors.js'

/** Where the CLI keeps its settings and (without a keyring) its credentials. */
export function configDirFor(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.CLAWD_CONFIG_DIR) return env.CLAWD_CONFIG_DIR
  if (platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'clawd')
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'clawd')
}

export const DEFAULT_API_URL = `http://127.0.0.1:${DEFAULT_PORT}`

/**
 * One spelling per API, so credentials stored under a URL are found again: no trailing slash,
 * no query or fragment, lower-case scheme and host (URL does that).
 */
export function normalizeApiUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw CliError.usage(`"${raw}" is not a URL.`, 'Pass the API as a full URL, e.g. --api https://clawd.example.com')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw CliError.usage(`The API URL must start with https:// or http://, got "${url.protocol}".`, 'Pass the API as a full URL, e.g. --api https://clawd.example.com')
  }
  if (url.username || url.password) {
    throw CliError.usage('The API URL must not contain a user name or password.', 'Log in with `clawd login` instead.')
  }
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/** Creates the config dir readable only by its owner: it may hold credentials. */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, {recursive: true, mode: 0o700})
  if (created) chmodSync(dir, 0o700)
}

/** Writes `value` as JSON to a file readable only by its owner in a private dir, atomically, so a crash never leaves half a file. */
export function writePrivateJson(path: string, value: unknown): void {
  ensurePrivateDir(dirname(path))
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', {mode: 0o600})
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

/**
 * A JSON file of the config dir parsed with `schema`: `missing` when there is none, the `invalid`
 * error (exit 2) when it is not what the schema says. `opened` runs once the file is read.
 */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, missing: T, invalid: {code: string; message: string; hint: string}, opened?: () => void): T {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
    opened?.()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing
    throw error
  }
  const parsed = schema.safeParse(parseJson(text))
  if (parsed.success) return parsed.data
  throw new CliError({...invalid, exitCode: 2})
}

const settingsSchema = z.looseObject({
  /** The API of the last `clawd login`, used when neither --api nor CLAWD_API_URL is given. */
  api: z.string().optional(),
  /** The file-store warning was shown once; it is not repeated on every command. */
  fileStoreWarned: z.boolean().optional(),
})
export type CliSettings = z.infer<typeof settingsSchema>

/** `config.json` in the config dir: small, non-secret settings. */
export class CliConfig {
  readonly path: string

  constructor(dir: string) {
    this.path = join(dir, 'config.json')
  }

  read(): CliSettings {
    return readJsonFile(this.path, settingsSchema, {}, {
      code: 'bad_config',
      message: `The clawd config file ${this.path} is not valid.`,
      hint: 'Fix or delete that file; `clawd login` writes a new one.',
    })
  }

  update(patch: Partial<CliSettings>): void {
    writePrivateJson(this.path, {...this.read(), ...patch})
  }
}
