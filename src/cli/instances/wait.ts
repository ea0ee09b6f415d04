import type {Instance, InstanceState} from '../../contract/instances.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {Api} from '../kit/http/api.js'
import type {IOStreams} from '../kit/io.js'
import {createSpinner} from '../kit/spinner.js'

/**
 * Polls until the instance reaches `want`, showing each state in a spinner on a terminal. A
 * `failed` instance ends the wait with its reason. Bounded by `timeoutMs`.
 */
export async function waitForState(
  api: Api,
  io: IOStreams,
  ref: string,
  want: InstanceState,
  opts: {timeoutMs?: number; intervalMs?: number} = {},
): Promise<Instance> {
  const spinner = (await createSpinner(io, `waiting for ${want}…`)).start()
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
  try {
    for (;;) {
      const instance = await api.instances.get({ref})
      spinner.text = `${instance.name}: ${instance.state}`
      if (instance.state === want) {
        spinner.succeed(`${instance.name} is ${want}`)
        return instance
      }
      if (instance.state === 'failed') {
        spinner.fail(`${instance.name} failed`)
        throw new CliError({
          code: 'instance_failed',
          message: `Instance "${instance.name}" failed: ${instance.failure_reason ?? 'no reason given'}`,
          hint: 'Resume it to try again (`clawd instance resume`), or delete it.',
          exitCode: ExitCode.conflict,
        })
      }
      if (instance.state === 'unavailable') {
        spinner.fail(`${instance.name} is unavailable`)
        throw new CliError({
          code: 'instance_unavailable',
          message: `Instance "${instance.name}" is unavailable: ${instance.failure_reason ?? 'its API replica is gone'}`,
          hint: 'It comes back when its API replica restarts, or after `clawd server drain`. Try again in a minute.',
          exitCode: ExitCode.unavailable,
        })
      }
      if (Date.now() > deadline) {
        throw new CliError({
          code: 'timeout',
          message: `Instance "${instance.name}" is still ${instance.state}.`,
          hint: 'Check again with `clawd instance show`.',
          exitCode: ExitCode.unavailable,
        })
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250))
    }
  } finally {
    spinner.stop()
  }
}
