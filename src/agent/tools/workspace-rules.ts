import type {StoredWorkspaceFile} from '../workspace-store.js'

/**
 * The workspace rules applied to what tools write (write, edit, and exec's write-back), so that
 * the stored workspace always stays one that `clawd export` writes and a real OpenClaw loads:
 * OpenClaw's file names only (legacy TOOLS.md and HEARTBEAT.md included, as a push accepts
 * them), UTF-8 text, 2 MiB a file, 1000 files and 20 MiB in all, no traversal.
 *
 * The secret scan runs here too, not only on push: a file that looks like it holds a provider key
 * would make every later export fail, and the model writing a key into its memory is exactly
 * what AGENTS.md asks it not to do. The refusal tells the model why.
 *
 * The rules are imported on the first write, like the agent's push route does: an agent that
 * only chats never pays for them.
 */

export interface RefusedChange {
  path: string
  message: string
}

/** path → new content, or null to delete. */
export type WorkspaceChanges = ReadonlyMap<string, string | null>

export async function applyWorkspaceChanges(
  current: readonly StoredWorkspaceFile[],
  changes: WorkspaceChanges,
): Promise<{files: StoredWorkspaceFile[]; applied: string[]; refused: RefusedChange[]}> {
  const [{classifyPath}, {checkText}, {checkSecrets}, {WORKSPACE_LIMITS}] = await Promise.all([
    import('../../workspace/files.js'),
    import('../../workspace/rules.js'),
    import('../../workspace/secret-scan.js'),
    import('../../contract/workspace-limits.js'),
  ])
  const byPath = new Map(current.map((f) => [f.path, f.content]))
  const applied: string[] = []
  const refused: RefusedChange[] = []
  for (const [path, content] of changes) {
    if (content === null) {
      if (byPath.delete(path)) applied.push(path)
      continue
    }
    const verdict = classifyPath(path)
    if (verdict.kind !== 'accepted') {
      refused.push({path, message: `${verdict.message} ${WORKSPACE_NAMES_HINT}`})
      continue
    }
    const textProblems = checkText(path, content)
    const problems = textProblems.length > 0 ? textProblems : checkSecrets(path, content)
    if (problems.length > 0) {
      refused.push({path, message: problems.map((p) => p.message).join(' ')})
      continue
    }
    byPath.set(path, content)
    applied.push(path)
  }
  let total = 0
  for (const content of byPath.values()) total += Buffer.byteLength(content, 'utf8')
  if (byPath.size > WORKSPACE_LIMITS.maxFiles || total > WORKSPACE_LIMITS.maxTotalBytes) {
    // Which change to drop is not ours to guess: none is applied.
    const why = `the workspace would hold ${byPath.size} files and ${total} bytes; the limits are ${WORKSPACE_LIMITS.maxFiles} files and ${WORKSPACE_LIMITS.maxTotalBytes} bytes.`
    return {files: [...current], applied: [], refused: [...refused, ...applied.map((path) => ({path, message: `not saved: ${why}`}))]}
  }
  return {files: [...byPath].map(([path, content]) => ({path, content})), applied, refused}
}

export const WORKSPACE_NAMES_HINT =
  'Workspace files are AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, TOOLS.md, HEARTBEAT.md and daily notes memory/YYYY-MM-DD.md or memory/YYYY-MM-DD-slug.md.'
