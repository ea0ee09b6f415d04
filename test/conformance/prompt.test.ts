import {realpathSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {buildSystemPrompt, renderProjectContext, selectProjectContextFiles} from '../../src/agent/prompt.js'
import {writeWorkspaceDir} from '../../src/workspace/disk.js'
import {planExport} from '../../src/workspace/validate.js'
import {CORPUS} from './corpus.js'
import {OPENCLAW_VERSION, openclawProjectContext, useOpenClaw} from './openclaw.js'

/**
 * The Project Context section of clawd's prompt against the real OpenClaw: every corpus workspace
 * goes through `clawd export`'s writer to disk, OpenClaw loads and renders it, and the two texts
 * must be equal to the byte. The only parameter is the workspace path in headings, which is where
 * OpenClaw found the files.
 */

const suite = await useOpenClaw('clawd-conformance-')
const {availability, scratch} = suite

/** The files as `clawd export` writes them; marks setup done as `openclaw setup` would for them. */
async function exported(name: string, files: Record<string, string>): Promise<string> {
  const plan = planExport(Object.entries(files).map(([path, content]) => ({path, content})))
  if (!plan.ok) throw new Error(`export refused: ${plan.rejected.map((r) => r.message).join('; ')}`)
  const dir = join(realpathSync(scratch), name.replace(/[^a-z0-9]+/gi, '-'))
  await writeWorkspaceDir(plan.files, dir)
  // clawd has no setup state apart from BOOTSTRAP.md itself: without it, the ritual is over.
  if (!('BOOTSTRAP.md' in files)) await suite.oc.mergeWorkspaceSetupState(dir, {setupCompletedAt: new Date().toISOString()})
  return dir
}

describe.skipIf(!availability.ok)(`Project Context is byte-identical to openclaw@${OPENCLAW_VERSION}`, () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const dir = await exported(c.name, c.files)
      const theirs = await openclawProjectContext(suite.oc, dir, c.opts)
      const ours = renderProjectContext(selectProjectContextFiles(c.files, {...c.opts, workspaceDir: dir}))
      expect(theirs).toMatch(/^# Project Context\nLoaded project context:\n/)
      expect(ours).toBe(theirs)
      expect(ours).not.toContain('[UNREADABLE')
    })
  }

  it('the corpus reaches the cuts: head/tail markers, the AGENTS.md digest, [MISSING] lines, the budget', async () => {
    const section = async (name: string) => {
      const c = CORPUS.find((k) => k.name === name)!
      return openclawProjectContext(suite.oc, await exported(`check ${name}`, c.files), c.opts)
    }
    const oversized = await section('oversized SOUL.md, USER.md and AGENTS.md')
    expect(oversized).toContain('[Policy digest from AGENTS.md]')
    expect(oversized).toContain('…(truncated SOUL.md: kept ')
    expect(oversized).toContain('…(truncated USER.md: kept ')
    expect(await section('missing SOUL.md and IDENTITY.md')).toContain('[MISSING] Expected at: ')
    expect((await section('the total budget running out mid-file')).length).toBeLessThan(5600)
    expect(await section('a pending BOOTSTRAP.md')).toContain('/BOOTSTRAP.md\n# Bootstrap')
  })

  it('the comparison itself can fail: one byte of difference is seen', async () => {
    const c = CORPUS[0]!
    const dir = await exported('one-byte', c.files)
    const theirs = await openclawProjectContext(suite.oc, dir)
    const ours = buildSystemPrompt({...c.files, 'SOUL.md': `${c.files['SOUL.md']}x`}, {workspaceDir: dir})
    expect(ours).not.toBe(theirs)
  })
})
