import type {AgentContext} from '../../context.js'
import {TelegramState} from './state.js'

/** The Telegram channel's per-agent parts, built on first use (an agent without it pays nothing). */
export interface TelegramFeature {
  state: TelegramState
  /** Answers in progress, so shutdown and tests can wait for them. */
  inFlight: Set<Promise<void>>
}

const features = new WeakMap<AgentContext, TelegramFeature>()

export function telegramFeature(agent: AgentContext): TelegramFeature {
  let f = features.get(agent)
  if (!f) {
    f = {state: new TelegramState(agent.vault), inFlight: new Set()}
    features.set(agent, f)
  }
  return f
}
