import {type Instance, instanceSchema, type InstanceState, listInstancesResponseSchema} from '../../contract/instances.js'
import type {ApiClient} from '../kit/http/api-client.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {IOStreams} from '../kit/io.js'
import {describeEffectiveTools, describePlan, describePolicy} from './plan-view.js'
import {readPages} from '../kit/pages.js'
import {createSpinner} from '../kit/spinner.js'

/**
 * The instance a command acts on: the one named (id or name), else the user's only instance.
 * With several and none named, it says which to pick rather than guessing.
 */
export async function resolveInstanceRef(client: ApiClient, named: string | undefined): Promise<string> {
  if (named) return named
  const {items: instances} = await readPages(client, '/v1/instances', listInstancesResponseSchema, 'instances', {all: true})
  if (instances.length === 1) return instances[0]!.id
  if (instances.length === 0) {
    throw new CliError({
      code: 'no_instance',
      message: 'You have no instances yet.',
      hint: 'Create one with `clawd instance create`.',
      exitCode: ExitCode.notFound,
    })
  }
  throw CliError.usage(
    `You have ${instances.length} instances (${instances.map((i) => i.name).join(', ')}); say which one.`,
    'Pass -i NAME, or set CLAWD_INSTANCE.',
  )
}

export const instancePath = (ref: string) => `/v1/instances/${encodeURIComponent(ref)}`

/**
 * Polls until the instance reaches `want`, showing each state in a spinner on a terminal. A
 * `failed` instance ends the wait with its reason. Bounded by `timeoutMs`.
 */
export async function waitForState(
  client: ApiClient,
  io: IOStreams,
  ref: string,
  want: InstanceState,
  opts: {timeoutMs?: number; intervalMs?: number} = {},
): Promise<Instance> {
  const spinner = (await createSpinner(io, `waiting for ${want}…`)).start()
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
  try {
    for (;;) {
      const instance = await client.get(instancePath(ref), instanceSchema)
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

/** Human lines for `show` and after a change. */
export function describeInstance(i: Instance): string[] {
  const iso = i.isolation
  return [
    `${i.name} (${i.id})`,
    `  state:        ${i.state}${i.failure_reason ? ` — ${i.failure_reason}` : ''}`,
    `  model:        ${i.model}`,
    ...(i.replica ? [`  replica:      ${i.replica}`] : []),
    `  created:      ${i.created_at}`,
    `  last active:  ${i.last_active_at}`,
    `  idle pause:   ${i.pauses_at ?? '—'}`,
    `  removal:      ${i.removes_at} (if unused until then)`,
    `  plan:         ${describePlan(i.plan)}`,
    `  tool policy:  ${describePolicy(i.tools)}`,
    `  tools:        ${describeEffectiveTools(i.tools, i.plan)}`,
    `  isolation:    ${iso ? `${iso.mode}${iso.namespaces.length ? ` (namespaces: ${iso.namespaces.join(', ')})` : ''}${iso.note ? ` — ${iso.note}` : ''}` : 'not started yet'}`,
  ]
}
