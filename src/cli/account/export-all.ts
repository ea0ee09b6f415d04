import type {Writable} from 'node:stream'
import type {AccountExport} from '../../contract/account.js'
import {AccountArchiveSecretError, type ExportManifest, layoutAccountExport as layoutArchive} from '../../workspace/account-archive.js'
import {tarBuffer} from '../../workspace/tar.js'
import type {Api} from '../kit/http/api.js'
import {writeFileAtomic} from '../workspace/export.js'
import {rejectionError} from '../workspace/api.js'

/** The archive's layout (src/workspace/account-archive.ts), with a refusal as the CLI's error. */
export function layoutAccountExport(doc: AccountExport): ReturnType<typeof layoutArchive> {
  try {
    return layoutArchive(doc)
  } catch (error) {
    if (!(error instanceof AccountArchiveSecretError)) throw error
    const what = `The export was refused; instance ${error.instanceName} holds what looks like a secret`
    throw rejectionError(what, error.rejected, `Fix the file with \`clawd config edit FILE -i ${error.instanceName}\` (and revoke the key if it was real), then export again.`)
  }
}

export interface AccountExportResult {
  out: string
  files: number
  bytes: number
  manifest: ExportManifest
}

export async function exportAccount(api: Api, out: string, opts: {force: boolean; stdout: Writable}): Promise<AccountExportResult> {
  const doc = await api.account.export()
  const {files, manifest} = layoutAccountExport(doc)
  const archive = tarBuffer(files)
  if (out === '-') {
    await new Promise<void>((resolve, reject) => opts.stdout.write(archive, (err) => (err ? reject(err) : resolve())))
  } else {
    await writeFileAtomic(out, archive, opts.force)
  }
  return {out, files: files.length, bytes: archive.length, manifest}
}
