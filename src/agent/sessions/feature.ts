import {perAgent} from '../context.js'
import {createDevProvider} from '../providers/dev.js'
import {createProviderRegistry, type ProviderRegistry} from '../providers/registry.js'
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
  /** Settles once answers cut off by a previous run of this agent are recovered (SessionStore.recoverDrafts). */
  ready: Promise<void>
}

export const sessionsFeature = perAgent((agent): SessionsFeature => {
  const cfg = agent.config
  const store = new SessionStore(agent.vault)
  const f: SessionsFeature = {
    store,
    answers: new LiveAnswers(),
    keys: new SealedKeys(agent.vault, agent.keys),
    providers: createProviderRegistry(cfg.devDeltaDelayMs ? [createDevProvider({deltaDelayMs: cfg.devDeltaDelayMs})] : []),
    workspace: new WorkspaceStore(agent.vault),
    graceMs: cfg.streamGraceMs ?? 10_000,
    // A failed recovery must not keep the sessions away: log it and go on.
    ready: store.recoverDrafts().then(
      (n) => (n > 0 ? agent.log('info', 'recovered interrupted answers', {count: n}) : undefined),
      (error: unknown) => agent.log('error', 'could not recover interrupted answers', {error: (error as Error).message}),
    ),
  }
  agent.shutdown.addEventListener('abort', () => f.answers.abortAll(), {once: true})
  return f
})
