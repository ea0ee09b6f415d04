import type {ZxcvbnFactory} from '@zxcvbn-ts/core'

/**
 * Refuses common and weak passwords at sign-up (issue 15: `password`, `12345678` and `aaaaaaaa`
 * were accepted). The judge is zxcvbn-ts, a maintained port of Dropbox's estimator, with its
 * shipped common-password, name and word lists and keyboard graphs; it also sees the email, so a
 * password made of the address is refused.
 *
 * Score 2 or more is required ("somewhat guessable": more than 10^6 guesses). With sign-in
 * throttled per address and email, that puts an online attack out of reach while letting people
 * choose passphrases without composition rules.
 */
export const MIN_PASSWORD_SCORE = 2

/** Why a password was refused, in words a person can act on; keyed by zxcvbn's warning codes. */
const WARNINGS: Record<string, string> = {
  straightRow: 'it is a row of keys on the keyboard',
  keyPattern: 'it is a short keyboard pattern',
  simpleRepeat: 'it repeats the same character',
  extendedRepeat: 'it repeats a short pattern',
  sequences: 'it is a common sequence like abc or 1234',
  recentYears: 'it is built on a recent year',
  dates: 'it is built on a date',
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is too close to a commonly used password',
  wordByItself: 'a single word is easy to guess',
  namesByThemselves: 'names on their own are easy to guess',
  commonNames: 'it is a common name',
  userInputs: 'it is built on your email address',
}

export interface PasswordVerdict {
  ok: boolean
  /** Why it was refused, and what to do instead; absent when ok. */
  reason?: string
}

let estimator: Promise<ZxcvbnFactory> | undefined

/** Loaded on the first sign-up only: the lists are several megabytes the API otherwise never needs. */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ZxcvbnFactory}, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')])
    return new ZxcvbnFactory({dictionary: {...common.dictionary}, graphs: common.adjacencyGraphs})
  })()
  return estimator
}

export async function judgePassword(password: string, userInputs: string[] = []): Promise<PasswordVerdict> {
  const zxcvbn = await loadEstimator()
  // zxcvbn is quadratic in places; long passphrases are strong anyway, so judge a bounded prefix.
  const inputs = userInputs.flatMap((s) => [s, ...s.split(/[@.+_-]/)]).filter((s) => s.length >= 3)
  const result = zxcvbn.check(password.slice(0, 100), inputs)
  if (result.score >= MIN_PASSWORD_SCORE) return {ok: true}
  const why = (result.feedback.warning && WARNINGS[result.feedback.warning]) || 'it would be guessed quickly'
  return {ok: false, reason: `This password is too easy to guess: ${why}. Use a longer passphrase of a few unrelated words.`}
}
