/**
 * The skills a workspace holds (`skills/<dir>/SKILL.md`), listed in the prompt the way OpenClaw
 * 2026.9.6 lists them (`formatSkillsForPromptCore` and `buildSkillsSection`): sorted by name, each
 * with its name, description and the path to read, so the model reads a skill's file only when a
 * task matches it.
 *
 * A skill's name and description come from the YAML frontmatter of its SKILL.md (`name:` falls back
 * to the directory's name; a skill without a description is not listed, as in OpenClaw). Only
 * plain one-line `key: value` scalars are read, quoted or not; that is what OpenClaw's own skills
 * and `openclaw skills create` write.
 */

export interface WorkspaceSkill {
  name: string
  description: string
  /** The SKILL.md path as the agent's tools see it. */
  location: string
}

const MAX_SKILLS_IN_PROMPT = 150
const SKILL_FILE = /^skills\/([^/]+)\/SKILL\.md$/

/** Skills found among the workspace's paths, sorted by name as OpenClaw sorts them. */
export function listWorkspaceSkills(paths: Iterable<string>, lookup: (path: string) => string | undefined, workspaceDir: string): WorkspaceSkill[] {
  const skills: WorkspaceSkill[] = []
  for (const path of paths) {
    const m = SKILL_FILE.exec(path)
    const text = m ? lookup(path) : undefined
    if (!m || text === undefined) continue
    const meta = readFrontmatter(text)
    const name = meta.get('name')?.trim() || m[1]!.trim()
    const description = meta.get('description')?.trim()
    if (!name || !description) continue
    skills.push({name, description, location: `${workspaceDir}/${path}`})
  }
  return skills.sort((a, b) => a.name.localeCompare(b.name, 'en')).slice(0, MAX_SKILLS_IN_PROMPT)
}

/** The `## Skills` section, or '' without skills. Its lines are OpenClaw's. */
export function renderSkillsSection(skills: readonly WorkspaceSkill[], readToolName: string): string {
  if (skills.length === 0) return ''
  const catalog = [
    'The following skills provide specialized instructions for specific tasks.',
    "Read a skill's file at its listed location when the task matches its description.",
    'When a skill file references a relative path, resolve it against the skill directory (parent of SKILL.md / dirname of the path) and use that absolute path in tool commands.',
    '',
    '<available_skills>',
  ]
  for (const skill of skills) {
    catalog.push(
      '  <skill>',
      `    <name>${escapeXml(skill.name)}</name>`,
      `    <description>${escapeXml(skill.description)}</description>`,
      `    <location>${escapeXml(skill.location)}</location>`,
      '  </skill>',
    )
  }
  catalog.push('</available_skills>')
  return [
    '## Skills',
    `Scan <available_skills>. Clear match: read exact <location> with \`${readToolName}\`; obey.`,
    'Several: most specific. None: read none.',
    'Up-front max one. Never invent paths.',
    'External writes: batch safely; no tight loops; honor 429/Retry-After.',
    catalog.join('\n'),
  ].join('\n')
}

/** Top-level `key: value` lines of a leading `---` block. */
export function readFrontmatter(text: string): Map<string, string> {
  const meta = new Map<string, string>()
  const open = /^---[ \t]*\r?\n/.exec(text)
  if (!open) return meta
  const rest = text.slice(open[0].length)
  const close = /^---[ \t]*$/m.exec(rest)
  if (!close) return meta
  for (const line of rest.slice(0, close.index).split(/\r?\n/)) {
    const m = /^([A-Za-z_][\w-]*):[ \t]*(.*)$/.exec(line)
    if (!m) continue
    let value = m[2]!.trim()
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
      value = value.startsWith('"') ? value.slice(1, -1).replace(/\\"/g, '"') : value.slice(1, -1).replace(/''/g, "'")
    }
    meta.set(m[1]!, value)
  }
  return meta
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}
