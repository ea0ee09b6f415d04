import {spawn} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {WorkspaceFile} from '../../contract/workspace.js'
import {classifyPath} from '../../workspace/files.js'
import {validateWorkspace} from '../../workspace/validate.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {IOStreams} from '../kit/io.js'
import {rejectionError} from './api.js'

export interface EditResult {
  path: string
  changed: boolean
  created: boolean
}

/**
 * Before any network call: a terminal to run the editor in, and a workspace file name (or the
 * reason it is not one: `soul.md`, `../x`, `notes.txt`).
 */
export function assertCanEdit(io: IOStreams, path: string): void {
  if (!io.canPrompt) {
    throw CliError.usage(
      '`config edit` opens an editor and needs a terminal.',
      'In a script, use `clawd config show FILE > FILE`, change it, and push the directory with `clawd config push DIR`.',
    )
  }
  const verdict = classifyPath(path)
  if (verdict.kind !== 'accepted') {
    throw CliError.usage(verdict.message, 'Edit AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, BOOTSTRAP.md, TOOLS.md, HEARTBEAT.md, dreams.md, memory/*.md or a skills/<name>/ file.')
  }
}

/**
 * `clawd config edit FILE`: the file in a private temp copy, opened in the user's editor; when it
 * changed, the workspace goes back with that one file replaced (the API replaces workspaces
 * whole). A refused edit keeps the copy and says where, so no typing is lost.
 */
export async function editWorkspaceFile(api: Api, io: IOStreams, instanceId: string, path: string): Promise<EditResult> {
  const {files} = await api.workspace.get({ref: instanceId})
  const before = files.find((f) => f.path === path)?.content
  const dir = await mkdtemp(join(tmpdir(), 'clawd-edit-'))
  const copy = join(dir, path.split('/').pop()!)
  await writeFile(copy, before ?? '', {mode: 0o600})

  // $VISUAL, then $EDITOR (as git and gh choose), then vi.
  const code = await runEditor(io.env.VISUAL?.trim() || io.env.EDITOR?.trim() || 'vi', copy, io.env)
  if (code !== 0) {
    throw new CliError({
      code: 'editor_failed',
      message: `The editor exited with ${code}; nothing was pushed.`,
      hint: `Your copy is at ${copy}. Set $EDITOR to an editor that waits until you close the file (e.g. "code --wait").`,
      exitCode: ExitCode.unexpected,
    })
  }
  const after = await readFile(copy, 'utf8')
  if (after === before || (before === undefined && after === '')) {
    await rm(dir, {recursive: true, force: true})
    return {path, changed: false, created: false}
  }
  const next: WorkspaceFile[] = [...files.filter((f) => f.path !== path), {path, content: after}]
  const check = validateWorkspace(next)
  if (check.rejected.length > 0) {
    throw rejectionError(`${path} was not pushed`, check.rejected, `Your edited copy is at ${copy}; fix it and run \`clawd config edit ${path}\` again.`)
  }
  await api.workspace.push({ref: instanceId, body: {files: [...check.accepted]}})
  await rm(dir, {recursive: true, force: true})
  return {path, changed: true, created: before === undefined}
}

/** Runs the editor through the shell, as git does, so "code --wait" and flags in $EDITOR work. */
function runEditor(editor: string, file: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'clawd-editor', file], {stdio: 'inherit', env})
    child.once('error', (error) =>
      reject(new CliError({code: 'editor_failed', message: `Could not start the editor "${editor}": ${error.message}`, hint: 'Set $EDITOR or $VISUAL.', exitCode: ExitCode.unexpected})),
    )
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}
