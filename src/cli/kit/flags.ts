import {Args, Flags} from '@oclif/core'

/**
 * Flags and args shared by many commands, defined once so their names, env fallbacks and help stay
 * the same everywhere. The global ones (--api, --json) live on BaseCommand.
 */
export const instanceFlag = Flags.string({
  char: 'i',
  summary: 'Instance id or name (default: your only instance).',
  env: 'CLAWD_INSTANCE',
})

export const instanceArg = Args.string({description: 'Instance id or name (default: your only instance).'})

export const yesFlag = Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false})

/** A command that deletes something of an instance: which instance, and --yes instead of a prompt. */
export const instanceYesFlags = {instance: instanceFlag, yes: yesFlag}
