import {expect} from 'vitest'
import {CliError} from '../../src/cli/kit/errors.js'

/** Awaits a promise that must reject with a CliError, and returns that error for further checks. */
export async function failure(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CliError)
  return error as CliError
}
