import {devToolsCommand, devToolsNotePath} from '../../src/agent/providers/dev-tools.js'

/** Where dev/tools writes today (a daily note), and the command it runs on it. */
export const NOTE = devToolsNotePath()
export const COMMAND = devToolsCommand(NOTE)

/**
 * The events of dev/tools' loop, tools named and runs of text deltas read as one: it writes the
 * note, reads it back, runs one exec on it, then answers.
 */
export const DEV_TOOLS_LOOP = [
  'text.delta',
  'tool.start:write',
  'tool.end:write',
  'text.delta',
  'tool.start:read',
  'tool.end:read',
  'text.delta',
  'tool.start:exec',
  'tool.end:exec',
  'text.delta',
]
