import type {WorkspaceRejection} from '../../contract/workspace.js'
import {WorkspaceDirError} from '../../workspace/disk.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'

/** Every rejection on its own line, so a person sees each file and line to fix. */
export function rejectionError(what: string, rejected: readonly WorkspaceRejection[], hint: string): CliError {
  const lines = rejected.map((r) => `  ${r.message}`)
  return new CliError({
    code: 'workspace_rejected',
    message: `${what}:\n${lines.join('\n')}`,
    hint,
    exitCode: ExitCode.usage,
  })
}

/** The workspace module's disk errors as CLI errors with the exit codes of DESIGN §3. */
export function fromDirError(error: unknown): unknown {
  if (!(error instanceof WorkspaceDirError)) return error
  const exitCode = {
    'not-empty': ExitCode.conflict,
    'invalid-workspace': ExitCode.usage,
    'not-found': ExitCode.notFound,
    'not-a-directory': ExitCode.usage,
    'write-failed': ExitCode.unexpected,
  }[error.code]
  return new CliError({code: error.code.replaceAll('-', '_'), message: error.message, hint: error.hint, exitCode, cause: error})
}
