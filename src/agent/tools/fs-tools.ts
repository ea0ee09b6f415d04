import type {WorkspaceStore} from '../workspace-store.js'
import {bound, optionalInt, requiredString, type ToolArgs} from './args.js'
import {applyWorkspaceChanges, WORKSPACE_NAMES_HINT} from './workspace-rules.js'
import type {ToolResult} from './types.js'

/**
 * `read`, `write` and `edit` on the instance's encrypted workspace (WorkspaceStore): no file on
 * any disk is touched, so what these tools write is exactly what the prompt is built from and
 * what `clawd export` writes. Argument names are OpenClaw's (pi-coding-agent's), with the aliases
 * OpenClaw accepts (file_path, old_string/new_string).
 */

const PATH = ['path', 'file_path']

export async function readTool(store: WorkspaceStore, args: ToolArgs, maxChars: number): Promise<ToolResult> {
  const path = requiredString(args, PATH)
  const offset = optionalInt(args, ['offset'], 1, Number.MAX_SAFE_INTEGER)
  const limit = optionalInt(args, ['limit'], 1, Number.MAX_SAFE_INTEGER)
  const content = await store.get(path)
  if (content === undefined) return {ok: false, output: await missing(store, path)}
  const lines = content.split('\n')
  const start = (offset ?? 1) - 1
  if (start > 0 && start >= lines.length) {
    return {ok: false, output: `offset ${offset} is past the end of ${path} (${lines.length} lines).`}
  }
  const end = limit === undefined ? lines.length : Math.min(lines.length, start + limit)
  let text = lines.slice(start, end).join('\n')
  if (end < lines.length) text += `\n[${lines.length - end} more lines; continue with offset ${end + 1}]`
  return {ok: true, output: bound(text, maxChars, 'file')}
}

export async function writeTool(store: WorkspaceStore, args: ToolArgs): Promise<ToolResult> {
  const path = requiredString(args, PATH)
  const content = requiredString(args, ['content'], {allowEmpty: true})
  return store.update<ToolResult>(async (files) => {
    const existed = files.some((f) => f.path === path)
    const change = await applyWorkspaceChanges(files, new Map([[path, content]]))
    if (change.refused.length > 0) return {result: {ok: false, output: `Not written: ${change.refused[0]!.message}`}}
    const bytes = Buffer.byteLength(content, 'utf8')
    return {files: change.files, result: {ok: true, output: `${existed ? 'Overwrote' : 'Created'} ${path} (${bytes} bytes).`}}
  })
}

export async function editTool(store: WorkspaceStore, args: ToolArgs): Promise<ToolResult> {
  const path = requiredString(args, PATH)
  const oldText = requiredString(args, ['oldText', 'old_string', 'old_text'])
  const newText = requiredString(args, ['newText', 'new_string', 'new_text'], {allowEmpty: true})
  return store.update<ToolResult>(async (files) => {
    const file = files.find((f) => f.path === path)
    if (!file) return {result: {ok: false, output: await missing(undefined, path, files.map((f) => f.path))}}
    const first = file.content.indexOf(oldText)
    if (first === -1) {
      return {result: {ok: false, output: `oldText was not found in ${path}. It must match the file exactly, whitespace and line breaks included; read the file first.`}}
    }
    const count = countOccurrences(file.content, oldText)
    if (count > 1) {
      return {result: {ok: false, output: `oldText appears ${count} times in ${path}; include more surrounding text so that it matches exactly once.`}}
    }
    const updated = file.content.slice(0, first) + newText + file.content.slice(first + oldText.length)
    const change = await applyWorkspaceChanges(files, new Map([[path, updated]]))
    if (change.refused.length > 0) return {result: {ok: false, output: `Not edited: ${change.refused[0]!.message}`}}
    return {files: change.files, result: {ok: true, output: `Edited ${path}: replaced 1 occurrence.`}}
  })
}

function countOccurrences(text: string, needle: string): number {
  let count = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++
  return count
}

/** "No such file", with the list of files that do exist so the model can correct itself. */
async function missing(store: WorkspaceStore | undefined, path: string, known?: string[]): Promise<string> {
  const paths = known ?? (await store!.files()).map((f) => f.path)
  const shown = paths.length > 50 ? [...paths.slice(0, 50), `… ${paths.length - 50} more`] : paths
  return `${JSON.stringify(path).slice(0, 200)} is not in the workspace. Its files: ${shown.join(', ') || '(none)'}. ${WORKSPACE_NAMES_HINT}`
}
