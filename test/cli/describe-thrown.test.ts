import {describe, expect, it} from 'vitest'
import {describeThrown, toCliError} from '../../src/cli/kit/base-command.js'

/** "Unexpected error: [object Object]" must never be printed: whatever is thrown gets words. */
describe('describing what was thrown', () => {
  it.each([
    [new Error('disk on fire'), 'disk on fire'],
    [{message: 'from a plain object'}, 'from a plain object'],
    [{code: 'E42', detail: 'x'}, '{"code":"E42","detail":"x"}'],
    [undefined, 'an error with no message'],
    [null, 'an error with no message'],
    ['a string', 'a string'],
    [42, '42'],
  ])('%o reads as %s', (value, words) => {
    expect(describeThrown(value)).toBe(words)
    expect(toCliError(value as never).message).not.toContain('[object Object]')
  })

  it('an object with no message and nothing to show still says something useful', () => {
    expect(describeThrown(new (class Weird {})())).toBe('a thrown Weird with no message')
    expect(toCliError({} as never).message).toBe('Unexpected error: a thrown Object with no message')
  })
})
