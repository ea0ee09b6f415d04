import {perAgent} from '../../context.js'
import {TelegramState} from './state.js'

/** The Telegram channel's per-agent parts. */
export interface TelegramFeature {
  state: TelegramState
  /** Answers in progress, so shutdown and tests can wait for them. */
  inFlight: Set<Promise<void>>
}

export const telegramFeature = perAgent((agent): TelegramFeature => ({state: new TelegramState(agent.vault), inFlight: new Set()}))
