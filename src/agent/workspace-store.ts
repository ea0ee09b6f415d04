import {chained, type Vault} from './vault.js'
import {starterWorkspace} from './workspace-defaults.js'

export interface StoredWorkspaceFile {
  path: string
  content: string
}

/** The one vault entry that holds the whole workspace. */
const ENTRY = 'workspace'
const FORMAT_VERSION = 1

interface StoredWorkspace {
  v: typeof FORMAT_VERSION
  files: StoredWorkspaceFile[]
}

/**
 * The agent's markdown workspace, encrypted in its vault.
 *
 * The whole workspace is one vault entry, written with the vault's atomic replace (temp file,
 * fsync, rename): a push lands completely or not at all, and a crash mid-write leaves the old
 * workspace. A workspace is small (at most 20 MiB by the contract's limits, a few KiB in practice)
 * and the prompt needs every file on every turn anyway, so one entry costs nothing that per-file
 * entries would save.
 *
 * The entry's existence is the "already seeded" marker: the starter workspace is written on the
 * first read only, so a user who pushes fewer files (or deletes them) keeps that choice.
 *
 * No validation here: the agent route checks a push with the workspace rules before `replace`,
 * and this module stays free of zod so the chat path does not load it.
 */
export class WorkspaceStore {
  constructor(private readonly vault: Vault) {}

  /** Every file, sorted by path (UTF-8 byte order). Seeds the starter workspace on first use. */
  async files(): Promise<StoredWorkspaceFile[]> {
    return (await this.load()).map((f) => ({...f}))
  }

  async get(path: string): Promise<string | undefined> {
    return (await this.load()).find((f) => f.path === path)?.content
  }

  /** Replaces the whole workspace with `files`, atomically. */
  async replace(files: readonly StoredWorkspaceFile[]): Promise<void> {
    const sorted = sortFiles(files.map((f) => ({path: f.path, content: f.content})))
    await chained(chains, this.vault, () => this.write(sorted))
  }

  /**
   * Read-modify-write in one exclusive step (the tools' write, edit and exec write-back): `change`
   * gets the current files and returns the new list, or undefined to leave the workspace as is.
   * Nothing else touches the workspace in between, so two tool calls cannot lose each other's edit.
   */
  async update<T>(change: (files: StoredWorkspaceFile[]) => Promise<{files?: StoredWorkspaceFile[]; result: T}>): Promise<T> {
    return chained(chains, this.vault, async () => {
      const current = (await this.loadUnlocked()).map((f) => ({...f}))
      const {files, result} = await change(current)
      if (files) await this.write(sortFiles(files.map((f) => ({path: f.path, content: f.content}))))
      return result
    })
  }

  private load(): Promise<StoredWorkspaceFile[]> {
    return chained(chains, this.vault, () => this.loadUnlocked())
  }

  private async loadUnlocked(): Promise<StoredWorkspaceFile[]> {
    const stored = await this.vault.readJson<StoredWorkspace>(ENTRY)
    if (stored) {
      if (stored.v !== FORMAT_VERSION || !Array.isArray(stored.files)) throw new Error('the stored workspace has an unknown format')
      return stored.files
    }
    const starter = sortFiles(Object.entries(starterWorkspace()).map(([path, content]) => ({path, content})))
    await this.write(starter)
    return starter
  }

  private async write(files: StoredWorkspaceFile[]): Promise<void> {
    await this.vault.writeJson(ENTRY, {v: FORMAT_VERSION, files} satisfies StoredWorkspace)
  }
}

function sortFiles(files: StoredWorkspaceFile[]): StoredWorkspaceFile[] {
  return files.sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')))
}

/**
 * One workspace operation at a time per vault, across every WorkspaceStore made on it (the chat
 * code and the workspace routes each make their own): a first read that seeds the starter files
 * must not overwrite a push that raced it.
 */
const chains = new WeakMap<Vault, Promise<unknown>>()
