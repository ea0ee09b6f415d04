import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {renderProjectContext, selectProjectContextFiles} from '../../src/agent/prompt.js'
import {starterWorkspace} from '../../src/agent/workspace-defaults.js'
import {planWorkspaceExport, writeExport} from '../../src/cli/workspace/export.js'
import {readPushSource} from '../../src/cli/workspace/push.js'
import {readWorkspaceTar, workspaceTar} from '../../src/workspace/archive.js'
import {validateWorkspace} from '../../src/workspace/validate.js'
import {OPENCLAW_VERSION, openclawProjectContext, useOpenClaw} from './openclaw.js'

/**
 * OpenClaw's own workspaces through `clawd config push` and `clawd export`: every file comes back
 * with the same bytes, and what OpenClaw keeps outside the workspace (.git) is skipped and named.
 * Then the README's way back: an export that `openclaw setup` takes as a finished workspace.
 */

const suite = await useOpenClaw('clawd-roundtrip-')
const {availability, scratch} = suite

/** Every regular file under dir, relative path → bytes, leaving out the directories named. */
function snapshot(dir: string, leaveOut: readonly string[] = []): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const path = join(abs, name)
      const rel = relative(dir, path).split('\\').join('/')
      if (leaveOut.includes(rel)) continue
      if (statSync(path).isDirectory()) walk(path)
      else files.set(rel, readFileSync(path))
    }
  }
  walk(dir)
  return files
}

/** `config push DIR` as the CLI reads it, the API's check, then `export --out` and `--format tar`. */
async function pushThenExport(source: string, out: string) {
  const check = await readPushSource(source, new PassThrough())
  expect(check.rejected).toEqual([])
  // The API runs the same rules on what arrives.
  expect(validateWorkspace(check.accepted).accepted).toEqual(check.accepted)
  const plan = planWorkspaceExport(check.accepted)
  await writeExport(plan.files, {out, format: 'dir'}, {force: false, stdout: new PassThrough()})
  const viaTar = readWorkspaceTar(workspaceTar(plan.files))
  expect(viaTar.accepted).toEqual(check.accepted)
  return check
}

function seed(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
}

describe.skipIf(!availability.ok)(`round trip of openclaw@${OPENCLAW_VERSION} workspaces`, () => {
  it('the workspace OpenClaw seeds for a new agent comes back byte for byte; .git is skipped and named', async () => {
    const seeded = join(realpathSync(scratch), 'seeded')
    const result = await suite.oc.ensureAgentWorkspace({dir: seeded, ensureBootstrapFiles: true})
    expect(result.bootstrapPending).toBe(true)
    const original = snapshot(seeded, ['.git'])
    expect([...original.keys()].sort()).toEqual(['AGENTS.md', 'BOOTSTRAP.md', 'IDENTITY.md', 'SOUL.md', 'USER.md'])

    const out = join(realpathSync(scratch), 'seeded-export')
    const check = await pushThenExport(seeded, out)
    if (readdirSync(seeded).includes('.git')) expect(check.skipped.map((s) => s.path)).toContain('.git')
    expect(snapshot(out)).toEqual(original)
  })

  it('a workspace with skills, frontmatter and dated and undated memory notes comes back byte for byte', async () => {
    const dir = join(realpathSync(scratch), 'rich')
    await suite.oc.ensureAgentWorkspace({dir, ensureBootstrapFiles: true})
    seed(dir, {
      'SOUL.md': '---\nmood: calm\n---\n# Soul\n\nCalm and kind.\n',
      'MEMORY.md': '# Memory\n\n- likes tea\n',
      'memory/2026-07-01.md': '# 2026-07-01\n\n- hiked\n',
      'memory/topic.md': '- an undated note\n',
      'memory/projects/clawd.md': '# clawd\n',
      'dreams.md': '# Dreams\n',
      'TOOLS.md': '# Tools\n\nssh pi\n',
      'HEARTBEAT.md': '# Heartbeat\n',
      'skills/weather/SKILL.md': '---\nname: weather\ndescription: Look up the weather.\n---\n# Weather\n',
      'skills/weather/scripts/fetch.sh': '#!/bin/sh\necho sunny\n',
      'canvas/index.html': '<p>not a workspace file</p>\n',
    })
    const original = snapshot(dir, ['.git', 'canvas'])
    const out = join(realpathSync(scratch), 'rich-export')
    const check = await pushThenExport(dir, out)
    expect(check.skipped.map((s) => s.path)).toContain('canvas')
    expect(snapshot(out)).toEqual(original)
  })

  it('an export of a finished clawd workspace loads clean after `openclaw setup --baseline --workspace DIR`: no [MISSING], no BOOTSTRAP.md, files untouched', async () => {
    const files = starterWorkspace() as Record<string, string>
    const out = join(realpathSync(scratch), 'starter-export')
    const plan = planWorkspaceExport(Object.entries(files).map(([path, content]) => ({path, content})))
    await writeExport(plan.files, {out, format: 'dir'}, {force: false, stdout: new PassThrough()})
    const before = snapshot(out)
    // The README's commands, run by OpenClaw's own CLI on the same state dir as the loader below.
    // The first makes a fresh install's config and main agent (it writes that agent's name into
    // the IDENTITY.md of its default workspace, so it runs before the export is pointed to); the
    // second points the agent at the export and takes it as set up.
    const openclaw = (...args: string[]) =>
      spawnSync(process.execPath, [join(suite.oc.dir, 'openclaw.mjs'), ...args], {
        encoding: 'utf8',
        // As a user runs it: without vitest's variables, which OpenClaw reads as "under test".
        env: {...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TEST$|NODE_ENV$)/.test(k))), HOME: process.env.OPENCLAW_STATE_DIR, NO_COLOR: '1'},
        timeout: 180_000,
      })
    const fresh = openclaw('setup', '--baseline')
    expect(fresh.status, `${fresh.stdout}\n${fresh.stderr}`).toBe(0)
    const setup = openclaw('setup', '--baseline', '--workspace', out)
    expect(setup.status, `${setup.stdout}\n${setup.stderr}`).toBe(0)
    expect(`${setup.stdout}${setup.stderr}`).toContain(`Workspace OK: ${out}`)
    const after = snapshot(out, ['.git'])
    for (const [name, bytes] of before) expect(after.get(name)?.toString('utf8'), name).toBe(bytes.toString('utf8'))
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
    const theirs = await openclawProjectContext(suite.oc, out)
    expect(theirs).not.toContain('[MISSING]')
    expect(theirs).not.toContain('BOOTSTRAP.md')
    expect(theirs).toBe(renderProjectContext(selectProjectContextFiles(files, {workspaceDir: out})))
  }, 240_000)
})
