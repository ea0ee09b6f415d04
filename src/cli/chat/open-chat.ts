import type {Instance} from '../../contract/instances.js'
import {sessionIdSchema} from '../../contract/sessions.js'
import {modelRefSchema} from '../../contract/stream.js'
import type {Api} from '../kit/http/api.js'
import {CliError} from '../kit/errors.js'
import type {Factory} from '../kit/factory.js'
import {targetInstance} from '../instances/ref.js'
import type {IOStreams} from '../kit/io.js'
import {styles} from '../kit/style.js'
import {MessageStreamClient} from './message-stream.js'
import {Conversation} from './conversation.js'

export interface ChatFlags {
  instance?: string
  session?: string
  model?: string
  /** Ask before each exec, write and edit (only when there is a person to ask). */
  approveTools?: boolean
}

export interface OpenChat {
  api: Api
  instance: Instance
  conversation: Conversation
}

export function checkModel(model: string): string {
  const parsed = modelRefSchema.safeParse(model)
  if (!parsed.success) throw CliError.usage(`"${model}" is not a model name.`, 'Use provider/model, e.g. anthropic/claude-sonnet-4-5 or dev/echo.')
  return parsed.data
}

/** Checks the flags, finds the instance and builds the conversation (no request to the agent yet). */
export async function openChat(factory: Factory, io: IOStreams, flags: ChatFlags): Promise<OpenChat> {
  if (flags.session !== undefined && !sessionIdSchema.safeParse(flags.session).success) {
    throw CliError.usage(`"${flags.session}" is not a session id.`, 'Session ids look like ses_…; list them with `clawd sessions list`.')
  }
  const model = flags.model === undefined ? undefined : checkModel(flags.model)
  const api = await factory.api()
  const instance = await targetInstance(api, flags.instance)
  const dim = styles(io).err.dim
  const streams = new MessageStreamClient({
    api,
    apiUrl: factory.apiUrl,
    onReconnect: ({attempt}) => io.stderr.write(dim(`\n(connection lost; resuming the answer${attempt > 1 ? `, try ${attempt}` : ''}…)\n`)),
  })
  const conversation = new Conversation({api, streams, instance: instance.id, sessionId: flags.session, model, approveTools: flags.approveTools})
  return {api, instance, conversation}
}
