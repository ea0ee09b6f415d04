import {ApiError} from '../errors.js'

/**
 * What to tell the user when an instance could not store something (a key, the workspace): a full
 * disk is said plainly with what to do, anything else is a retryable unavailability. Nothing was
 * stored either way; the agent writes atomically.
 */
export function agentStorageFailure(status: number, what: string): ApiError {
  if (status === 507) {
    return new ApiError(507, 'unavailable', 'Insufficient storage', {
      detail: `The instance's disk is full; ${what} was not stored.`,
      hint: 'Delete sessions you no longer need (`clawd sessions delete`), or ask the server operator for more space.',
    })
  }
  return ApiError.unavailable(`The instance could not store ${what}; nothing was changed.`, 'Try again.')
}
