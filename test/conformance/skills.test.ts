import {realpathSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {listWorkspaceSkills, renderSkillsSection} from '../../src/agent/prompt-skills.js'
import {buildSystemPrompt} from '../../src/agent/prompt.js'
import {writeWorkspaceDir} from '../../src/workspace/disk.js'
import {planExport} from '../../src/workspace/validate.js'
import {OPENCLAW_VERSION, useOpenClaw} from './openclaw.js'

/**
 * The skills catalog against OpenClaw's own (`buildSkillSnapshot` on the exported workspace).
 * OpenClaw also lists its bundled and plugin skills, which a clawd instance does not have, so the
 * comparison is on the catalog's preamble and on the workspace's own <skill> blocks, in order.
 */

const suite = await useOpenClaw('clawd-skills-')
const {availability, scratch} = suite

const SKILLS: Record<string, string> = {
  'skills/weather/SKILL.md': '---\nname: weather\ndescription: "Look up <the> weather & more."\n---\n# Weather\n',
  'skills/alpha/SKILL.md': "---\ndescription: 'First by name, it''s quoted.'\n---\nbody\n",
  'skills/Zed/SKILL.md': '---\nname: zed-tool\ndescription: Upper-case directory, name from frontmatter.\n---\n',
  'skills/beta/SKILL.md': '---\nname: beta\ndescription:    Spaces around.   \n---\n',
  'skills/nodesc/SKILL.md': '---\nname: nodesc\n---\nno description: not listed\n',
  'skills/weather/references/api.md': '# API\n',
}

function catalogParts(prompt: string, workspaceDir: string): {preamble: string; blocks: string[]} {
  const start = prompt.indexOf('\n<available_skills>\n') + 1
  const end = prompt.indexOf('</available_skills>')
  const preamble = prompt.slice(0, start).trim().split('\n').slice(-3).join('\n')
  const blocks = [...prompt.slice(start, end).matchAll(/ {2}<skill>\n[\s\S]*?\n {2}<\/skill>/g)].map((m) => m[0]).filter((b) => b.includes(`<location>${workspaceDir}/`))
  return {preamble, blocks}
}

describe.skipIf(!availability.ok)(`skills are listed as openclaw@${OPENCLAW_VERSION} lists them`, () => {
  it('the same preamble and the same <skill> blocks, in the same order', async () => {
    const files = {'AGENTS.md': '# Rules\n', ...SKILLS}
    const plan = planExport(Object.entries(files).map(([path, content]) => ({path, content})))
    if (!plan.ok) throw new Error(plan.rejected.map((r) => r.message).join('; '))
    const dir = join(realpathSync(scratch), 'ws')
    await writeWorkspaceDir(plan.files, dir)

    const theirs = catalogParts((await suite.oc.buildSkillSnapshot(dir, {})).prompt, dir)
    const ours = catalogParts(buildSystemPrompt(files, {workspaceDir: dir, readToolName: 'read'}), dir)
    expect(theirs.blocks.length).toBe(4)
    expect(ours).toEqual(theirs)
  })

  it('the "## Skills" section around the catalog is OpenClaw\'s, word for word', () => {
    const section = renderSkillsSection(listWorkspaceSkills(Object.keys(SKILLS), (p) => SKILLS[p], '/ws'), 'read')
    const catalog = section.slice(section.indexOf('The following skills'))
    const prompt = suite.oc.buildConfiguredAgentSystemPrompt({workspaceDir: '/ws', contextFiles: [], toolNames: ['read'], skillsPrompt: catalog})
    expect(prompt).toContain(`\n${section}\n`)
  })
})
