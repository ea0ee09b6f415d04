import {Errors, type Hook} from '@oclif/core'
import {ExitCode} from '../exit-codes.js'
import {nearestCommand} from '../suggest.js'

/**
 * `clawd instanse`: our two lines (what happened, what to do) and exit 2, instead of oclif's
 * "command instanse not found". With --json, the error document.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const separator = opts.config.topicSeparator
  const typed = opts.id.replaceAll(':', separator)
  // Command ids and topics, not aliases: suggest the name the docs use.
  const commands = opts.config.commands.filter((c) => !c.hidden)
  const aliases = new Set(commands.flatMap((c) => c.aliases ?? []))
  const known = [...commands.map((c) => c.id).filter((id) => !aliases.has(id)), ...opts.config.topics.filter((t) => !t.hidden).map((t) => t.name)].map((id) =>
    id.replaceAll(':', separator),
  )
  const best = nearestCommand(typed, known)
  const message = `"${typed}" is not a clawd command.`
  const hint = best ? `Did you mean \`clawd ${best}\`? See \`clawd --help\` for all commands.` : 'See `clawd --help` for all commands.'
  if ((opts.argv ?? []).includes('--json')) {
    process.stdout.write(JSON.stringify({error: {code: 'usage', message, hint}}) + '\n')
  } else {
    process.stderr.write(`Error: ${message}\nHint: ${hint}\n`)
  }
  throw new Errors.ExitError(ExitCode.usage)
}

export default hook
