import type {AgentContext} from '../context.js'
import {createDevProvider, createProviderRegistry, type ProviderRegistry} from '../providers/index.js'
import {SealedKeys} from '../sealed-keys.js'
import {WorkspaceStore} from '../workspace-store.js'
import {LiveAnswers} from './live.js'
import {SessionStore} from './store.js'

/** Everything the session routes share within one agent, built on first use. */
export interface SessionsFeature {
  store: SessionStore
  answers: LiveAnswers
  keys: SealedKeys
  providers: ProviderRegistry
  workspace: WorkspaceStore
  /** How long an answer keeps going with no reader, waiting for a resume. */
  graceMs: number
}

const features = new WeakMap<AgentContext, SessionsFeature>()

export function sessionsFeature(agent: AgentContext): SessionsFeature {
  let f = features.get(agent)
  if (!f) {
    const cfg = agent.config as {devDeltaDelayMs?: number; streamGraceMs?: number}
    f = {
      store: new SessionStore(agent.vault),
      answers: new LiveAnswers(),
      keys: new SealedKeys(agent.vault, agent.keys),
      providers: createProviderRegistry(cfg.devDeltaDelayMs ? [createDevProvider({deltaDelayMs: cfg.devDeltaDelayMs})] : []),
      workspace: new WorkspaceStore(agent.vault),
      graceMs: cfg.streamGraceMs ?? 10_000,
    }
    agent.shutdown.addEventListener('abort', () => f!.answers.abortAll(), {once: true})
    features.set(agent, f)
  }
  return f
}
