import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {expect} from 'vitest'
import {newUser, type TestUser} from '../helpers/auth.js'
import {json, runCli, type CliOptions} from '../helpers/cli.js'
import {startServerProcess, type ServerProcess} from '../helpers/server.js'
import {apiCall, type ApiResult} from '../instances/support.js'

/** A real `clawd server start` and helpers to act as one of its users through the built CLI. */
export interface Portability {
  server: ServerProcess
  user(): Promise<TestUser>
  env(user: TestUser): NodeJS.ProcessEnv
  cli(user: TestUser, args: string[], opts?: CliOptions): ReturnType<typeof runCli>
  /** Creates a running instance once (later calls return the same one) and returns its id. */
  instance(user: TestUser, name: string): Promise<string>
  /** A raw API call, as a client that is not our CLI would make it. */
  api(user: TestUser | string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>
}

export async function startPortability(args: string[] = []): Promise<Portability> {
  const server = await startServerProcess({args})
  const admin = {url: server.url, adminSocket: join(server.dataDir, 'admin.sock')}
  const env = (user: TestUser) => ({CLAWD_API_URL: server.url, CLAWD_TOKEN: user.accessToken, CLAWD_CONFIG_DIR: join(server.dataDir, 'cli-' + user.email)})
  const cli = (user: TestUser, argv: string[], opts: CliOptions = {}) => runCli(argv, {...opts, env: {...env(user), ...opts.env}})
  const made = new Map<string, string>()
  return {
    server,
    user: () => newUser(admin),
    env,
    cli,
    async instance(user, name) {
      const key = `${user.email}/${name}`
      if (!made.has(key)) {
        const created = await cli(user, ['instance', 'create', name, '--wait', '--json'], {timeoutMs: 60_000})
        expect(created.code, created.stderr).toBe(0)
        made.set(key, json(created).id)
      }
      return made.get(key)!
    },
    api: (user, method, path, body, headers = {}) => apiCall(server.url, user, method, path, body, headers),
  }
}

/** Writes `files` (path → text or bytes) under `dir`. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
}

/**
 * A key-shaped string made at run time, so no key-shaped literal is ever committed. The shape is
 * the secret scan's Anthropic pattern: its fixed prefix and 40 random characters.
 */
export function keyLikeString(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let random = ''
  for (let i = 0; i < 40; i++) random += alphabet[Math.floor(Math.random() * alphabet.length)]
  return ['sk', 'ant', 'api03', random].join('-')
}
