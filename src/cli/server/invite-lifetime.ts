import {parseDuration} from '../../duration.js'
import {CliError} from '../kit/errors.js'

const MIN_SEC = 60
const MAX_SEC = 365 * 24 * 3600

/** `--expires 7d` in whole seconds, between a minute and a year. */
export function inviteLifetimeSec(text: string): number {
  let ms: number
  try {
    ms = parseDuration(text)
  } catch {
    throw CliError.usage(`--expires "${text}" is not a duration.`, 'Use e.g. --expires 7d, 12h or 30m.')
  }
  const sec = Math.floor(ms / 1000)
  if (sec < MIN_SEC || sec > MAX_SEC) throw CliError.usage(`--expires ${text} is out of range.`, 'An invite lives between 1m and 365d.')
  return sec
}
