/**
 * The agent's markdown workspace in OpenClaw's layout (DESIGN §5): which files belong to it, the
 * export rules, the secret scan, deterministic tar archives and atomic directory writes. Pure
 * modules; the CLI and the API both call them, so both enforce the same rules.
 */
export {BOOTSTRAP_FILE, CORE_FILES, DREAMS_FILE, LEGACY_FILES, MEMORY_DIR, SKILLS_DIR, checkPathSafety, classifyPath, comparePaths, type PathVerdict} from './files.js'
export {checkEntryKind, checkText, decodeFile, frontmatterEndLine, type EntryKind} from './rules.js'
export {SECRET_PATTERNS, checkSecrets, scanSecrets, type SecretFinding} from './secret-scan.js'
export {planExport, pushResponse, validateWorkspace, type ExportPlan, type WorkspaceCheck} from './validate.js'
export {readWorkspaceTar, workspaceTar, workspaceTarChunks, writeWorkspaceTar} from './archive.js'
export {TarError, iterateTar, readTar, tarBuffer, tarChunks, writeTar, type TarEntry, type TarFile} from './tar.js'
export {WorkspaceDirError, readWorkspaceDir, writeWorkspaceDir, type WriteOps} from './disk.js'
