import {expect} from 'vitest'

/** Calls `fn`, which must throw an instance of `type`, and returns that error for further checks. */
export function thrownBy<T>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(type)
  return error as T
}
