import {readFile, stat} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import type {WorkspaceFile, WorkspaceRejection, WorkspaceSkip} from '../../contract/workspace.js'
import {readWorkspaceTar} from '../../workspace/archive.js'
import {readWorkspaceDir} from '../../workspace/disk.js'
import {TarError} from '../../workspace/tar.js'
import type {WorkspaceCheck} from '../../workspace/validate.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'
import {readBytes} from '../kit/io.js'
import {fromDirError, rejectionError} from './api.js'

/**
 * A workspace to push, from a directory (an OpenClaw workspace), a tar file, or a tar on stdin
 * ('-'), through the same rules the API runs again on arrival.
 */
export async function readPushSource(source: string, stdin: Readable): Promise<WorkspaceCheck> {
  if (source === '-') return fromTar(await readBytes(stdin), 'stdin')
  const st = await stat(source).catch(() => undefined)
  if (st?.isFile()) {
    if (!source.endsWith('.tar')) throw CliError.usage(`${source} is a file.`, 'Pass the workspace directory, a .tar archive, or - for a tar on stdin.')
    return fromTar(await readFile(source), source)
  }
  return readWorkspaceDir(source).catch((error: unknown) => Promise.reject(fromDirError(error)))
}

function fromTar(bytes: Uint8Array, shown: string): WorkspaceCheck {
  try {
    return readWorkspaceTar(bytes)
  } catch (error) {
    if (error instanceof TarError) throw CliError.usage(`${shown} is not a readable tar archive: ${error.message}`, 'Pass a ustar archive, such as `clawd export --format tar` writes.')
    throw error
  }
}

export interface PushResult {
  applied: string[]
  skipped: WorkspaceSkip[]
  rejected: WorkspaceRejection[]
  /** Files the instance had that the push did not bring: a push replaces the whole workspace. */
  removed: string[]
}

/**
 * Checks here first, so a refused push never leaves the machine, then replaces the instance's
 * workspace with the accepted files in one request (all of them or none).
 */
export async function pushWorkspace(api: Api, instanceId: string, check: WorkspaceCheck, source: string): Promise<PushResult> {
  if (check.rejected.length > 0) {
    throw rejectionError(
      `${check.rejected.length} file${check.rejected.length === 1 ? ' was' : 's were'} rejected; nothing was pushed`,
      check.rejected,
      'Fix them and push again; every file is applied or none is.',
    )
  }
  if (check.accepted.length === 0) {
    throw CliError.usage(
      `${source} holds no workspace file (AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, memory/*.md, skills/<name>/SKILL.md); nothing was pushed.`,
      'Pass the directory of an OpenClaw workspace, such as ~/.openclaw/workspace.',
    )
  }
  const before = (await api.workspace.get({ref: instanceId})).files
  // Checked here already; the API checks again.
  const response = await api.workspace.push({ref: instanceId, body: {files: [...check.accepted]}})
  const applied = new Set(response.applied)
  // The API saw only the accepted files; what was left out was decided here.
  return {
    applied: response.applied,
    skipped: [...check.skipped, ...response.skipped],
    rejected: response.rejected,
    removed: before.map((f: WorkspaceFile) => f.path).filter((p) => !applied.has(p)),
  }
}
