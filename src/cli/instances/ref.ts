import type {Instance} from '../../contract/instances.js'
import {BaseCommand} from '../kit/base-command.js'
import {CliError} from '../kit/errors.js'
import {ExitCode} from '../kit/exit-codes.js'
import type {Api} from '../kit/http/api.js'
import type {Factory} from '../kit/factory.js'
import {instanceFlag} from '../kit/flags.js'
import {readPages} from '../kit/pages.js'
import {type ListView, sayList} from '../kit/table.js'

/**
 * The instance a command acts on: the one named (id or name), else the user's only instance.
 * With several and none named, it says which to pick rather than guessing.
 */
export async function resolveInstanceRef(api: Api, named: string | undefined): Promise<string> {
  if (named) return named
  const {items: instances} = await readPages(api.instances.list, 'instances', {all: true})
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

/** The instance named (else the only one) itself, e.g. for its name in messages. */
export async function targetInstance(api: Api, named: string | undefined): Promise<Instance> {
  return api.instances.get({ref: await resolveInstanceRef(api, named)})
}

/** The API client and the instance ref, which most instance-scoped commands start with. */
export async function instanceApi(factory: Factory, named: string | undefined): Promise<{api: Api; ref: string}> {
  const api = await factory.api()
  return {api, ref: await resolveInstanceRef(api, named)}
}

/** A command that lists something of an instance (-i, else the only one): `channels list`, `keys list`. */
export function instanceListCommand<R, T>(spec: ListView<T> & {summary: string; list: (api: Api, ref: string) => Promise<R>; items: (result: R) => T[]}) {
  return class InstanceListCommand extends BaseCommand {
    static override summary = spec.summary
    static override flags = {instance: instanceFlag}

    async run(): Promise<R> {
      const {flags} = await this.parse(InstanceListCommand)
      const {api, ref} = await instanceApi(this.factory(flags), flags.instance)
      const result = await spec.list(api, ref)
      sayList(this.out, spec.items(result), spec)
      return result
    }
  }
}
