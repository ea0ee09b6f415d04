import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {builtPath} from '../../src/paths.js'
import {createLocalDriver, type LocalDriver, type LocalDriverOptions} from '../../src/runtime/local-driver.js'
import {probeBwrap} from '../../src/runtime/sandbox.js'
import {packageRoot} from '../../src/paths.js'

/** The driver spawns the BUILT agent: fail loudly when the build is missing. */
export function requireBuiltAgent(): void {
  const entry = builtPath('src/agent/main.ts')
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -p .\` before these tests`)
}

let probed: Promise<{ok: boolean; reason?: string}> | undefined
/** Whether bwrap works on this host, probed once per test file with the real arguments. */
export function bwrapUsable(): Promise<{ok: boolean; reason?: string}> {
  probed ??= probeBwrap({nodePath: process.execPath, packageRoot})
  return probed
}

export interface DriverFixture {
  driver: LocalDriver
  dataDir: string
  dispose(): Promise<void>
}

/** A driver over a fresh data dir (short path: unix socket paths are limited to 107 bytes). */
export async function makeDriver(opts: Partial<LocalDriverOptions> = {}): Promise<DriverFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clawd-rt-'))
  const driver = await createLocalDriver({dataDir, sandbox: 'none', memoryLimitMb: 128, egressAllow: [], startTimeoutMs: 15_000, ...opts})
  return {
    driver,
    dataDir,
    async dispose() {
      await driver.shutdown()
      rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

export function newStartInit() {
  return {dataKey: randomBytes(32), secret: randomBytes(24).toString('base64url'), config: {providerBaseUrls: {}}}
}

/** A TCP echo server on 127.0.0.1 (a "host on the internet" for egress tests). */
export async function echoServer(): Promise<{port: number; server: Server; close(): Promise<void>}> {
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  return {port, server, close: () => new Promise((resolve) => server.close(() => resolve()))}
}

/** Every byte of every file name and file under `dir`, for canary greps. */
export function allBytes(dir: string): Buffer {
  const out: Buffer[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = join(d, e.name)
      out.push(Buffer.from(e.name))
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out.push(readFileSync(p))
    }
  }
  walk(dir)
  return Buffer.concat(out)
}

/** A self-signed certificate for `localhost` (and 127.0.0.1), made with openssl when it exists. */
export function selfSignedCert(): {key: string; cert: string} | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'clawd-cert-'))
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      {stdio: 'ignore'},
    )
    return {key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8')}
  } catch {
    return undefined
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** Polls `check` every 25 ms until it is true or `timeoutMs` passes (bounded, never timing-asserting). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 25))
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z/.test(stat)
  } catch {
    return false
  }
}
