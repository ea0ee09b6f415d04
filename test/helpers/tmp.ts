import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A fresh temp dir that is removed when the returned dispose runs. */
export function tempDir(prefix = 'clawd-test-'): {path: string; dispose: () => void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, dispose: () => rmSync(path, {recursive: true, force: true})}
}
