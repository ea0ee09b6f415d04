import type {ToolDefinition, ToolName} from './types.js'

/**
 * What the model is told about each tool: OpenClaw's names, argument names and meanings (its
 * `read`/`write`/`edit` come from pi-coding-agent, `exec`, `web_fetch` and `memory_*` from its
 * own tool set), so an AGENTS.md written for OpenClaw drives these the same way.
 */
const DESCRIPTIONS: Readonly<Record<ToolName, string>> = {
  read: 'Read a file of your workspace (AGENTS.md, SOUL.md, MEMORY.md, memory/YYYY-MM-DD.md, ...). Returns its text; use offset and limit for long files.',
  write: 'Create or overwrite a workspace file with the given content. Workspace files are the OpenClaw ones: AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, TOOLS.md, HEARTBEAT.md and daily notes memory/YYYY-MM-DD.md (or memory/YYYY-MM-DD-slug.md).',
  edit: 'Replace exact text in a workspace file. oldText must match exactly once (including whitespace); the call fails if it is missing or appears more than once.',
  exec: "Run a shell command (sh -c) in a sandbox whose working directory is a copy of your workspace; files it changes there are saved back to the workspace. No network except HTTP(S) through the instance's egress proxy to allowed hosts. Bounded in time, memory, processes, output and disk.",
  web_fetch: "Fetch a URL (HTTP or HTTPS, through the instance's egress proxy: only hosts the server allows) and return its content; HTML becomes readable text.",
  memory_search: 'Search MEMORY.md and memory/*.md before answering questions about prior work, decisions, dates, people, preferences or todos; returns the best matching snippets with path and lines.',
  memory_get: 'Read lines of MEMORY.md or memory/*.md (e.g. after memory_search), to pull only what is needed.',
}

/** Each tool's parameters: name → [JSON type, description]; a name ending in `?` is optional, the others are required. */
const PARAMS: Readonly<Record<ToolName, Record<string, [type: string, description: string]>>> = {
  read: {
    path: ['string', 'Path relative to the workspace, e.g. "MEMORY.md" or "memory/2026-12-02.md".'],
    'offset?': ['number', 'Line number to start reading from (1-indexed).'],
    'limit?': ['number', 'Maximum number of lines to read.'],
  },
  write: {path: ['string', 'Path relative to the workspace.'], content: ['string', 'The whole new content of the file.']},
  edit: {
    path: ['string', 'Path relative to the workspace.'],
    oldText: ['string', 'Exact text to find and replace (must be unique in the file).'],
    newText: ['string', 'Text to put in its place.'],
  },
  exec: {
    command: ['string', 'Shell command to run.'],
    'workdir?': ['string', 'Working directory relative to the workspace (default: the workspace root).'],
    'timeout?': ['number', 'Timeout in seconds (the server caps it).'],
  },
  web_fetch: {url: ['string', 'HTTP or HTTPS URL to fetch.'], 'maxChars?': ['number', 'Maximum characters to return (truncates when exceeded).']},
  memory_search: {
    query: ['string', 'What to look for.'],
    'maxResults?': ['number', 'Maximum number of snippets (default 6).'],
    'minScore?': ['number', 'Minimum relevance between 0 and 1 (default 0.2).'],
  },
  memory_get: {
    path: ['string', 'MEMORY.md or memory/YYYY-MM-DD.md.'],
    'from?': ['number', 'First line to return (1-indexed).'],
    'lines?': ['number', 'Number of lines to return.'],
  },
}

/** A tool's definition: its parameters as a JSON Schema object of typed, described properties. */
function definition(name: ToolName): ToolDefinition {
  const entries = Object.entries(PARAMS[name]).map(([key, [type, about]]) => ({key: key.replace(/\?$/, ''), schema: {type, description: about}, optional: key.endsWith('?')}))
  const properties = Object.fromEntries(entries.map((p) => [p.key, p.schema]))
  return {name, description: DESCRIPTIONS[name], parameters: {type: 'object', properties, required: entries.filter((p) => !p.optional).map((p) => p.key)}}
}

export const TOOL_DEFINITIONS = Object.fromEntries(Object.keys(DESCRIPTIONS).map((name) => [name, definition(name as ToolName)])) as Readonly<Record<ToolName, ToolDefinition>>
