import type {ToolDefinition, ToolName} from './types.js'

/**
 * What the model is told about each tool: OpenClaw's names, argument names and meanings (its
 * `read`/`write`/`edit` come from pi-coding-agent, `exec`, `web_fetch` and `memory_*` from its
 * own tool set), so an AGENTS.md written for OpenClaw drives these the same way.
 */
export const TOOL_DEFINITIONS: Readonly<Record<ToolName, ToolDefinition>> = {
  read: {
    name: 'read',
    description:
      'Read a file of your workspace (AGENTS.md, SOUL.md, MEMORY.md, memory/YYYY-MM-DD.md, ...). Returns its text; use offset and limit for long files.',
    parameters: {
      type: 'object',
      properties: {
        path: {type: 'string', description: 'Path relative to the workspace, e.g. "MEMORY.md" or "memory/2026-12-02.md".'},
        offset: {type: 'number', description: 'Line number to start reading from (1-indexed).'},
        limit: {type: 'number', description: 'Maximum number of lines to read.'},
      },
      required: ['path'],
    },
  },
  write: {
    name: 'write',
    description:
      'Create or overwrite a workspace file with the given content. Workspace files are the OpenClaw ones: AGENTS.md, SOUL.md, IDENTITY.md, USER.md, MEMORY.md, TOOLS.md, HEARTBEAT.md and daily notes memory/YYYY-MM-DD.md (or memory/YYYY-MM-DD-slug.md).',
    parameters: {
      type: 'object',
      properties: {
        path: {type: 'string', description: 'Path relative to the workspace.'},
        content: {type: 'string', description: 'The whole new content of the file.'},
      },
      required: ['path', 'content'],
    },
  },
  edit: {
    name: 'edit',
    description:
      'Replace exact text in a workspace file. oldText must match exactly once (including whitespace); the call fails if it is missing or appears more than once.',
    parameters: {
      type: 'object',
      properties: {
        path: {type: 'string', description: 'Path relative to the workspace.'},
        oldText: {type: 'string', description: 'Exact text to find and replace (must be unique in the file).'},
        newText: {type: 'string', description: 'Text to put in its place.'},
      },
      required: ['path', 'oldText', 'newText'],
    },
  },
  exec: {
    name: 'exec',
    description:
      "Run a shell command (sh -c) in a sandbox whose working directory is a copy of your workspace; files it changes there are saved back to the workspace. No network except HTTP(S) through the instance's egress proxy to allowed hosts. Bounded in time, memory, processes, output and disk.",
    parameters: {
      type: 'object',
      properties: {
        command: {type: 'string', description: 'Shell command to run.'},
        workdir: {type: 'string', description: 'Working directory relative to the workspace (default: the workspace root).'},
        timeout: {type: 'number', description: 'Timeout in seconds (the server caps it).'},
      },
      required: ['command'],
    },
  },
  web_fetch: {
    name: 'web_fetch',
    description: "Fetch a URL (HTTP or HTTPS, through the instance's egress proxy: only hosts the server allows) and return its content; HTML becomes readable text.",
    parameters: {
      type: 'object',
      properties: {
        url: {type: 'string', description: 'HTTP or HTTPS URL to fetch.'},
        maxChars: {type: 'number', description: 'Maximum characters to return (truncates when exceeded).'},
      },
      required: ['url'],
    },
  },
  memory_search: {
    name: 'memory_search',
    description:
      'Search MEMORY.md and memory/*.md before answering questions about prior work, decisions, dates, people, preferences or todos; returns the best matching snippets with path and lines.',
    parameters: {
      type: 'object',
      properties: {
        query: {type: 'string', description: 'What to look for.'},
        maxResults: {type: 'number', description: 'Maximum number of snippets (default 6).'},
        minScore: {type: 'number', description: 'Minimum relevance between 0 and 1 (default 0.2).'},
      },
      required: ['query'],
    },
  },
  memory_get: {
    name: 'memory_get',
    description: 'Read lines of MEMORY.md or memory/*.md (e.g. after memory_search), to pull only what is needed.',
    parameters: {
      type: 'object',
      properties: {
        path: {type: 'string', description: 'MEMORY.md or memory/YYYY-MM-DD.md.'},
        from: {type: 'number', description: 'First line to return (1-indexed).'},
        lines: {type: 'number', description: 'Number of lines to return.'},
      },
      required: ['path'],
    },
  },
}
